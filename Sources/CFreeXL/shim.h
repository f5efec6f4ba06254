#ifndef CFREEXL_SHIM_H
#define CFREEXL_SHIM_H

// libfreexl (Debian libfreexl-dev): reads the old Excel format (.xls) for `cg-revenue check`.
#include <freexl.h>

#endif
