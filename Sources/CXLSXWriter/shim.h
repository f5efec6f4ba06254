#ifndef CXLSXWRITER_SHIM_H
#define CXLSXWRITER_SHIM_H

// libxlsxwriter (Debian libxlsxwriter-dev): the XLSX output's writer, used in constant-memory mode.
#include <xlsxwriter.h>

#endif
