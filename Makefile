# PGXS build of the crm_import extension (C++17). The version lives here (EXTVERSION) and in
# crm_import.control's default_version (a test checks they agree).
# The install script is built from the unversioned sources in extension/sql/, one file per
# wizard area, concatenated in name order (pgvector builds from one unversioned file; several
# keep each step reviewable on its own).
# Upgrade script crm_import--PREV--EXTVERSION.sql (docs/architecture.md, "Releases"): the
# hand-written changes to tables and other non-replaceable objects in
# extension/upgrade/PREV--EXTVERSION.sql, then the version's new tables
# (extension/sql/01_tables_EXTVERSION.sql), then every other file of extension/sql/ but 00_schema.sql
# with CREATE turned into CREATE OR REPLACE: functions, views and grants are re-created from
# the one source, so an upgraded database cannot drift from a fresh one
# (tests/integration/t_upgrade.sh compares them).
EXTENSION = crm_import
EXTVERSION = 0.2.0
PREVVERSION = 0.1.0
MODULE_big = crm_import

CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp) $(wildcard src/functions/*.cpp) src/crm_import.cpp
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

DATA_built = extension/$(EXTENSION)--$(EXTVERSION).sql extension/$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql

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
# Tables new in a version: created once by the install and once by the upgrade to it.
NEW_TABLES_SQL = extension/sql/01_tables_$(EXTVERSION).sql
REPLACEABLE_SQL = $(filter-out extension/sql/00_schema.sql extension/sql/01_tables_%,$(EXTENSION_SQL))
extension/$(EXTENSION)--$(EXTVERSION).sql: $(EXTENSION_SQL) Makefile
	cat $(EXTENSION_SQL) | sed 's/@EXTVERSION@/$(EXTVERSION)/g' > $@

extension/$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql: extension/upgrade/$(PREVVERSION)--$(EXTVERSION).sql $(NEW_TABLES_SQL) $(REPLACEABLE_SQL) Makefile
	( cat extension/upgrade/$(PREVVERSION)--$(EXTVERSION).sql $(NEW_TABLES_SQL); \
	  cat $(REPLACEABLE_SQL) | sed -e 's/^CREATE FUNCTION /CREATE OR REPLACE FUNCTION /' \
		-e 's/^CREATE VIEW /CREATE OR REPLACE VIEW /' -e 's/^CREATE AGGREGATE /CREATE OR REPLACE AGGREGATE /' -e 's/^CREATE TRIGGER /CREATE OR REPLACE TRIGGER /' \
	) | sed 's/@EXTVERSION@/$(EXTVERSION)/g' > $@

EXTRA_CLEAN = extension/$(EXTENSION)--$(EXTVERSION).sql extension/$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql results regression.diffs regression.out output_iso $(OBJS:.o=.d)
