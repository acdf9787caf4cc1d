/* version.h - the reference runtime's version (simple --version). */
#ifndef SIMPLE_VERSION_H
#define SIMPLE_VERSION_H

#define SIMPLE_RUNTIME_VERSION "0.1.0"

#endif
