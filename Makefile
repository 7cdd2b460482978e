# PGXS build of the crm_import extension (C++17). The version lives in one place: EXTVERSION.
# The install script is built from the unversioned sources in extension/sql/, one file per
# wizard area, concatenated in name order (pgvector builds from one unversioned file; several
# keep each step reviewable on its own). Upgrade scripts extension/crm_import--A--B.sql hold
# changes only.
EXTENSION = crm_import
EXTVERSION = 0.1.0
MODULE_big = crm_import

CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp) $(wildcard src/functions/*.cpp) src/crm_import.cpp
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

DATA_built = extension/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard extension/$(EXTENSION)--*--*.sql)

# pg_regress: one file per wizard step plus errors and security; ISOLATION for concurrency.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION) --encoding=UTF8
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src -I$(srcdir)/src/core
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register -fPIC -O2 -MMD -MP
SHLIB_LINK = -lcsv -lphonenumber -lprotobuf-lite -licui18n -licuuc -lstdc++

# PostgreSQL's LLVM JIT bitcode is not needed for a C++ extension and would need clang.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The core must not see PostgreSQL headers: compile it with its own include path only,
# so an #include "postgres.h" under src/core fails this build as it fails the CMake one.
src/core/%.o: override CPPFLAGS := -I$(srcdir)/src/core -D_GNU_SOURCE
src/core/%.o: override CXXFLAGS := -std=c++17 -Wall -Wextra -fPIC -O2 -g -MMD -MP

# Header dependencies (-MMD): a changed header rebuilds every object that includes it; a
# stale object compiled against an old class layout crashed a backend once.
-include $(OBJS:.o=.d)

EXTENSION_SQL = $(sort $(wildcard extension/sql/*.sql))
extension/$(EXTENSION)--$(EXTVERSION).sql: $(EXTENSION_SQL)
	cat $(EXTENSION_SQL) | sed 's/@EXTVERSION@/$(EXTVERSION)/g' > $@

EXTRA_CLEAN = extension/$(EXTENSION)--$(EXTVERSION).sql results regression.diffs regression.out output_iso $(OBJS:.o=.d)
