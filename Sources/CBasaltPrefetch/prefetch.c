// The prefetch hint is a static inline function in include/CBasaltPrefetch.h; a C target needs one
// translation unit.
#include "CBasaltPrefetch.h"
