#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

// Debian builds libxml2 with ICU; its headers then pull ICU headers that clash with the ICU
// module inside Swift's Foundation. We never use libxml2's ICU hooks, so switch them off here.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/parser.h>

#endif
