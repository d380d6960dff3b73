// The system hiredis (Debian's libhiredis-dev 0.14), used only for the RESP protocol:
// formatting commands and parsing replies. Sockets belong to SwiftNIO (see LineupRedis).
#ifndef LINEUP_CHIREDIS_SHIM_H
#define LINEUP_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#endif
