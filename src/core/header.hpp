// The header row of an uploaded file: unique column names from its fields. Pure C++ (no
// PostgreSQL), unit-tested in tests/header_test.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace crm::core {

// Unique, stable column names from the header: blank names become column_N, repeated names
// (case-insensitively) get _2, _3 ... A new name is never one the file already uses for
// another column (Navn,Navn,Navn_2 gives Navn,Navn_3,Navn_2). Each change is appended to
// renamed as a phrase ("column 2 \"Navn\" is named \"Navn_3\"").
std::vector<std::string> UniqueColumnNames(const std::vector<std::string>& header, std::size_t column_count,
										   std::vector<std::string>& renamed);

}  // namespace crm::core
