// Wizard step 2: crm_import_upload (bytea), crm_import_upload_lo (large object) and
// crm_import_upload_file (server path). Three byte sources, one streaming reader: bytes go
// through core::SourceReader (a byte-order mark or the encoding argument decides the
// encoding; other encodings are converted to UTF-8 by ICU) and core::CsvReader (libcsv)
// chunk by chunk, and land in a per-import UNLOGGED staging table written COPY-style
// (StagingWriter). The import row records the file's facts. The pure parts (delimiter
// argument, column statistics, unique column names) live in src/core with unit tests.
#include "pg/boundary.hpp"
#include "pg/caller.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/staging.hpp"
#include "pg/text.hpp"

#include "core/column_stats.hpp"
#include "core/csv_reader.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/header.hpp"
#include "core/source_reader.hpp"
#include "core/normalize.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sys/stat.h>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_authid_d.h"
#include "catalog/pg_largeobject.h"
#include "catalog/pg_type_d.h"
#include "commands/progress.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "libpq/be-fsstubs.h"
#include "libpq/libpq-fs.h"
#include "storage/large_object.h"
#include "utils/acl.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}


extern "C" {
PG_FUNCTION_INFO_V1(crm_import_upload);
PG_FUNCTION_INFO_V1(crm_import_upload_lo);
PG_FUNCTION_INFO_V1(crm_import_upload_file);
PG_FUNCTION_INFO_V1(crm_import_trim_header);
PG_FUNCTION_INFO_V1(crm_import_column_names_of);
PG_FUNCTION_INFO_V1(crm_import_sample_value);
}

namespace crm::pg {
namespace {

constexpr size_t kChunkBytes = 1 << 20;  // bytes handed to the reader at a time

// Where the file's bytes come from. Read returns 0 at end of file; Close releases the source
// once everything was read. Destructors touch nothing of PostgreSQL's: a PostgreSQL error
// from a destructor would be std::terminate (the server restarts), and after a failed call
// transaction abort closes what is left open (large objects, AllocateFile'd files).
class ByteSource {
public:
	virtual ~ByteSource() = default;
	virtual size_t Read(char* buf, size_t capacity) = 0;
	virtual void Close() {}
	virtual int64 TotalBytes() const { return -1; }
	virtual int ProgressType() const = 0;
};

// A bytea argument, already in memory.
class BytesSource : public ByteSource {
public:
	BytesSource(const char* data, size_t len) : data_(data), len_(len) {}
	size_t Read(char* buf, size_t capacity) override
	{
		size_t n = std::min(capacity, len_ - pos_);
		std::memcpy(buf, data_ + pos_, n);
		pos_ += n;
		return n;
	}
	int64 TotalBytes() const override { return static_cast<int64>(len_); }
	int ProgressType() const override { return PROGRESS_COPY_TYPE_CALLBACK; }

private:
	const char* data_;
	size_t len_;
	size_t pos_ = 0;
};

// A large object, read in chunks so backend memory stays bounded whatever its size. Opened
// through the SQL-level lo_open machinery (be-fsstubs) so PostgreSQL closes it, and the
// catalog relations it keeps open, at transaction end.
class LargeObjectSource : public ByteSource {
public:
	explicit LargeObjectSource(Oid lo)
	{
		fd_ = Guard([&]() noexcept { return DatumGetInt32(DirectFunctionCall2(be_lo_open, ObjectIdGetDatum(lo), Int32GetDatum(INV_READ))); });
	}
	void Close() override
	{
		if (fd_ < 0)
			return;
		(void) Guard([&]() noexcept { return DirectFunctionCall1(be_lo_close, Int32GetDatum(fd_)); });
		fd_ = -1;
	}
	size_t Read(char* buf, size_t capacity) override
	{
		int n = Guard([&]() noexcept { return lo_read(fd_, buf, static_cast<int>(capacity)); });
		return n > 0 ? static_cast<size_t>(n) : 0;
	}
	int ProgressType() const override { return PROGRESS_COPY_TYPE_PIPE; }

private:
	int fd_ = -1;
};

// A server-side file (permission checked before it is opened).
class FileSource : public ByteSource {
public:
	explicit FileSource(const char* path) : path_(path)
	{
		file_ = Guard([&]() noexcept {
			FILE* f = AllocateFile(path_, PG_BINARY_R);
			if (f == NULL)
				ereport(ERROR, (errcode_for_file_access(),
								errmsg("could not open server file \"%s\" for reading: %m", path_),
								errhint("The path is read by the database server, relative to its data directory. "
										"For a file on your machine use psql's \\lo_import and crm_import_upload_lo.")));
			return f;
		});
		struct stat st;
		if (fstat(fileno(file_), &st) == 0)
			total_ = st.st_size;
	}
	void Close() override
	{
		if (file_ == nullptr)
			return;
		FILE* file = file_;
		file_ = nullptr;
		Guard([&]() noexcept { FreeFile(file); });
	}
	size_t Read(char* buf, size_t capacity) override
	{
		size_t n = fread(buf, 1, capacity, file_);
		if (n == 0 && ferror(file_))
			Guard([&]() noexcept {
				ereport(ERROR, (errcode_for_file_access(), errmsg("could not read server file \"%s\": %m", path_)));
			});
		return n;
	}
	int64 TotalBytes() const override { return total_; }
	int ProgressType() const override { return PROGRESS_COPY_TYPE_FILE; }

private:
	const char* path_;
	FILE* file_ = nullptr;
	int64 total_ = -1;
};

// Receives every record: stages it and gathers per-column facts for preview and mapping.
// The first records (core::kPreambleRecords, at most kMaxHeldBytes) are held back until
// preamble detection has decided which record is the header row; they are staged then, all
// of them (records above the header row stay in the staging table, numbered, but are never
// data). The staging table is created then, with the header row's field count.
class UploadSink : public core::CsvSink {
public:
	static constexpr size_t kMaxHeldBytes = 4u << 20;

	UploadSink(SpiSession& spi, std::string table, size_t max_columns)
		: stats_(max_columns), spi_(spi), table_(std::move(table))
	{
	}

	void OnRecord(const core::CsvRecord& record) override
	{
		if (!decided_) {
			held_.push_back(record);
			held_bytes_ += record.bytes() + record.size() * sizeof(size_t);
			if (held_.size() >= core::kPreambleRecords || held_bytes_ >= kMaxHeldBytes)
				Decide();
		} else {
			Stage(record);
		}
		if ((record.record_no & 1023) == 0)
			CheckInterrupts();
	}

	// Flushes the staged rows; false when the file had no record (and so no table).
	bool Finish()
	{
		if (!decided_)
			Decide();
		if (!writer_)
			return false;
		writer_->Finish();
		return true;
	}

	size_t staged_columns() const { return staged_columns_; }
	uint64 header_record() const { return header_record_; }
	const core::PreambleVerdict& preamble() const { return preamble_; }
	const std::vector<core::RecordShape>& shapes() const { return shapes_; }

	std::vector<std::string> header_;
	core::ColumnStats stats_;

private:
	void Decide()
	{
		decided_ = true;
		if (held_.empty())
			return;
		shapes_.reserve(held_.size());
		for (const auto& r : held_) {
			core::RecordShape shape;
			shape.fields = r.size();
			shape.line_no = r.line_no;
			shape.first_only = r.size() >= 2;
			for (size_t i = 1; i < r.size() && shape.first_only; i++)
				shape.first_only = core::IsBlank(r.field(i));
			shape.first_field = core::CutUtf8(core::Trim(r.field(0)), 60);
			shapes_.push_back(std::move(shape));
		}
		preamble_ = core::DetectPreamble(shapes_);
		size_t header_index = preamble_.kind == core::PreambleVerdict::Kind::kApplied ? preamble_.header_index : 0;
		header_record_ = held_[header_index].record_no;
		CreateTable(held_[header_index].size());
		for (const auto& r : held_)
			Stage(r);
		held_.clear();
		held_.shrink_to_fit();
	}

	void Stage(const core::CsvRecord& record)
	{
		writer_->Add(record);
		if (record.record_no == header_record_) {
			for (size_t i = 0; i < record.size(); i++)
				header_.emplace_back(core::Trim(record.field(i)));
			stats_.SetColumnCount(record.size());
		} else if (record.record_no > header_record_) {
			stats_.Add(record);
		}
	}

	void CreateTable(size_t nfields)
	{
		staged_columns_ = StagingWriter::StagedColumnsFor(nfields);
		spi_.Execute(StagingWriter::CreateTableSql(table_, staged_columns_));
		const char* name = table_.c_str();
		Oid relid = Guard([&]() noexcept { return get_relname_relid(name, get_namespace_oid("crm_import_staging", false)); });
		writer_ = std::make_unique<StagingWriter>(relid, staged_columns_);
	}

	SpiSession& spi_;
	std::string table_;
	size_t staged_columns_ = 0;
	std::unique_ptr<StagingWriter> writer_;
	bool decided_ = false;
	std::vector<core::CsvRecord> held_;
	size_t held_bytes_ = 0;
	uint64 header_record_ = 1;
	core::PreambleVerdict preamble_;
	std::vector<core::RecordShape> shapes_;
};

std::string Hex(const uint8* bytes, size_t n)
{
	static const char* digits = "0123456789abcdef";
	std::string out;
	for (size_t i = 0; i < n; i++) {
		out.push_back(digits[bytes[i] >> 4]);
		out.push_back(digits[bytes[i] & 15]);
	}
	return out;
}

struct UploadRequest {
	const char* list;
	const char* file_name;  // may be null
	const char* delimiter;  // may be null
	const char* encoding;   // may be null: UTF-8, or what a byte-order mark says
	const char* source;     // bytea, large_object, server_file
	const char* source_ref; // large object oid or server path; may be null
	Oid source_lo = InvalidOid;  // the large object read, for crm_imports.source_lo
};

// How hints tell to upload the file again with an encoding: the call the user made (the
// one-call import when it ran the upload), "%s" for the encoding.
std::string RetryCall(const UploadRequest& req)
{
	Oid outer = EntryOutermostFunction();
	const char* outer_name = OidIsValid(outer) ? Guard([&]() noexcept { return get_func_name(outer); }) : nullptr;
	std::string source = req.source;
	std::string name = outer_name != nullptr ? outer_name : "";
	if (name == "crm_import")
		return source == "large_object" ? "crm_import(list, lo, profile, encoding => '%s')"
										: "crm_import(list, data, profile, encoding => '%s')";
	if (name == "crm_import_from_file")
		return "crm_import_from_file(list, path, profile, encoding => '%s')";
	if (source == "large_object")
		return "crm_import_upload_lo(list, lo, encoding => '%s')";
	if (source == "server_file")
		return "crm_import_upload_file(list, path, encoding => '%s')";
	return "crm_import_upload(list, data, encoding => '%s')";
}

// A phrase of the core ("the file was ...") as a message sentence: capital, final period.
std::string Sentence(std::string s)
{
	if (!s.empty() && s[0] >= 'a' && s[0] <= 'z')
		s[0] = static_cast<char>(s[0] - 'a' + 'A');
	if (!s.empty() && s.back() != '.')
		s.push_back('.');
	return s;
}

// Says what preamble detection found: the records above the header row it skipped (or
// would skip, when unsure), and the crm_import_set_header call that decides otherwise.
void PreambleNotice(int64 import_id, const core::PreambleVerdict& preamble, const std::vector<core::RecordShape>& shapes)
{
	const size_t k = preamble.header_index;  // records above the header row
	const core::RecordShape& header = shapes[k];
	std::string listed;
	for (size_t i = 0; i < k && i < 5; i++)
		listed += std::string(i == 0 ? "" : "; ") + "record " + std::to_string(i + 1) + " (line " +
				  std::to_string(shapes[i].line_no) + ", " + std::to_string(shapes[i].fields) +
				  (shapes[i].fields == 1 ? " field" : " fields") + ") \"" + shapes[i].first_field + "\"";
	if (k > 5)
		listed += "; and " + std::to_string(k - 5) + " more";
	std::string id = std::to_string(import_id);
	std::string records = std::to_string(k) + (k == 1 ? " record" : " records");
	std::string where = "record " + std::to_string(k + 1) + ", line " + std::to_string(header.line_no);
	std::string message, detail, hint;
	if (preamble.kind == core::PreambleVerdict::Kind::kApplied) {
		message = "the file starts with " + records + " above its header row: the header row is " + where;
		detail = "Skipped as a preamble, not data: " + listed + ". The rows below the header have " +
				 std::to_string(preamble.dominant_fields) + " fields.";
		hint = "If record 1 is the header row after all: SELECT crm_import_set_header(" + id + ", true, 1);";
	} else {
		message = "the file may start with " + records + " above its header row (" + where +
				  "); record 1 is read as the header row";
		detail = "Not skipped, since " + preamble.reason + ": " + listed + ".";
		hint = "To skip them: SELECT crm_import_set_header(" + id + ", true, " + std::to_string(k + 1) +
			   "); to keep record 1: SELECT crm_import_set_header(" + id +
			   ", true, 1); crm_import_check lists this until one of them is called.";
	}
	Guard([&]() noexcept {
		ereport(NOTICE, (errmsg_internal("%s", message.c_str()), errdetail_internal("%s", detail.c_str()),
						 errhint("%s", hint.c_str())));
	});
}

// The body shared by the three upload functions.
int64 Upload(const UploadRequest& req, ByteSource& source)
{
	auto started = std::chrono::steady_clock::now();
	char delimiter = core::ParseDelimiterArgument(req.delimiter);
	// An unknown encoding is refused before anything is written.
	core::SourceOptions source_options;
	if (req.encoding != nullptr) {
		source_options.encoding = core::ResolveEncoding(req.encoding);
		source_options.encoding_given = true;
	}
	source_options.retry_call = RetryCall(req);
	std::string schema = ExtensionSchemaQuoted();
	SpiSession spi;

	// The import row first: its id names the staging table.
	Oid types[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, NAMEOID};
	Datum values[5];
	char nulls[5] = {' ', ' ', ' ', ' ', ' '};
	values[0] = PointerGetDatum(MakeText(req.list));
	if (req.file_name != nullptr)
		values[1] = PointerGetDatum(MakeText(req.file_name));
	else
		nulls[1] = 'n';
	values[2] = PointerGetDatum(MakeText(req.source));
	if (req.source_ref != nullptr)
		values[3] = PointerGetDatum(MakeText(req.source_ref));
	else
		nulls[3] = 'n';
	spi.Execute("INSERT INTO " + schema + ".crm_imports (owner, owner_id, list_id, file_name, source, source_ref) " +
					"VALUES (" + schema + ".crm_import_caller(), " + schema + ".crm_import_caller_id(), " + schema +
					".crm_import_list_id($1), $2, $3, $4) " +
					"RETURNING id",
				4, types, values, nulls);
	int64 import_id = spi.Int64(1);
	std::string table = "job_" + std::to_string(import_id);

	pg_cryptohash_ctx* sha = Guard([]() noexcept {
		pg_cryptohash_ctx* ctx = pg_cryptohash_create(PG_SHA256);
		if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
			ereport(ERROR, (errmsg("could not initialize SHA-256")));
		return ctx;
	});
	const int64 progress_type = source.ProgressType();
	const int64 total_bytes = source.TotalBytes() > 0 ? source.TotalBytes() : 0;
	Guard([&]() noexcept {
		pgstat_progress_start_command(PROGRESS_COMMAND_COPY, InvalidOid);
		const int index[3] = {PROGRESS_COPY_COMMAND, PROGRESS_COPY_TYPE, PROGRESS_COPY_BYTES_TOTAL};
		const int64 val[3] = {PROGRESS_COPY_COMMAND_FROM, progress_type, total_bytes};
		pgstat_progress_update_multi_param(3, index, val);
	});

	core::CsvOptions options;
	options.delimiter = delimiter;
	options.max_field_bytes = static_cast<size_t>(g_settings.max_field_size);
	options.max_record_bytes = static_cast<size_t>(g_settings.max_record_size);
	options.max_columns = static_cast<size_t>(g_settings.max_columns);

	UploadSink sink(spi, table, options.max_columns);
	core::SourceReader source_reader(options, source_options, sink);
	const core::CsvReader& reader = source_reader.csv();
	std::unique_ptr<char[]> buffer(new char[kChunkBytes]);
	int64 bytes = 0;
	long long next_notice = g_settings.progress_rows;
	for (;;) {
		CheckInterrupts();
		size_t n = source.Read(buffer.get(), kChunkBytes);
		if (n == 0)
			break;
		const char* chunk = buffer.get();
		Guard([&]() noexcept {
			if (pg_cryptohash_update(sha, reinterpret_cast<const uint8*>(chunk), n) < 0)
				ereport(ERROR, (errmsg("could not compute SHA-256")));
		});
		source_reader.Feed(chunk, n);
		bytes += static_cast<int64>(n);
		int64 records = static_cast<int64>(reader.records());
		Guard([&]() noexcept {
			const int index[2] = {PROGRESS_COPY_BYTES_PROCESSED, PROGRESS_COPY_TUPLES_PROCESSED};
			const int64 val[2] = {bytes, records};
			pgstat_progress_update_multi_param(2, index, val);
		});
		if (next_notice > 0 && records >= next_notice) {
			double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
			Guard([&]() noexcept {
				ereport(NOTICE, (errmsg("crm_import upload: %lld records, %lld bytes, %.0f records/s",
										(long long) records, (long long) bytes, secs > 0 ? records / secs : 0.0)));
			});
			next_notice = (records / g_settings.progress_rows + 1) * g_settings.progress_rows;
		}
	}
	source.Close();
	source_reader.Finish();
	bool staged = sink.Finish();
	uint8 digest[PG_SHA256_DIGEST_LENGTH];
	Guard([&]() noexcept {
		if (pg_cryptohash_final(sha, digest, sizeof(digest)) < 0)
			ereport(ERROR, (errmsg("could not compute SHA-256")));
		pg_cryptohash_free(sha);
		pgstat_progress_end_command();
	});

	if (!staged || reader.records() == 0)
		throw core::UserError(core::sqlstate::kBadCopyFileFormat, "file has no rows",
							  "The file holds " + std::to_string(bytes) + " bytes but no CSV record.",
							  "Check that the right file was passed; an export with a header row has at least one.");

	std::vector<std::string> renamed;
	const size_t column_count = sink.stats_.column_count();
	std::vector<std::string> names = core::UniqueColumnNames(sink.header_, column_count, renamed);
	std::vector<long long> filled(column_count, 0);
	std::vector<std::string> samples;
	std::vector<int> sample_no;
	for (size_t i = 0; i < column_count && i < sink.stats_.filled().size(); i++) {
		filled[i] = sink.stats_.filled()[i];
		for (const auto& s : sink.stats_.samples()[i]) {
			samples.push_back(s);
			sample_no.push_back(static_cast<int>(i + 1));
		}
	}
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	std::string delim(1, reader.delimiter());

	const core::PreambleVerdict& preamble = sink.preamble();
	const bool applied = preamble.kind == core::PreambleVerdict::Kind::kApplied;
	const std::string detected_sql =
		preamble.kind == core::PreambleVerdict::Kind::kNone ? "NULL" : std::to_string(preamble.header_index + 1);

	const std::string& encoding = source_reader.encoding().name;
	uint64 c1_count = reader.c1_count();
	std::string c1_encoding = source_reader.C1Encoding();
	Oid utypes[19] = {INT8OID, INT8OID, TEXTOID, TEXTOID, BOOLOID, BOOLOID, INT8OID,
					  INT4OID, INT8OID, TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID, INT4ARRAYOID,
					  TEXTOID, INT8OID, INT8OID, INT4OID, TEXTOID};
	char unulls[19];
	std::memset(unulls, ' ', sizeof unulls);
	if (c1_count == 0 || reader.c1_line() == 0)
		unulls[16] = unulls[17] = 'n';
	if (c1_encoding.empty())
		unulls[18] = 'n';
	Datum uvalues[19] = {
		Int64GetDatum(import_id),
		Int64GetDatum(bytes),
		PointerGetDatum(MakeText(Hex(digest, sizeof(digest)))),
		PointerGetDatum(MakeText(delim)),
		BoolGetDatum(reader.delimiter_detected()),
		BoolGetDatum(reader.had_bom()),
		Int64GetDatum(static_cast<int64>(reader.records())),
		Int32GetDatum(static_cast<int32>(column_count)),
		Int64GetDatum(sink.stats_.ragged()),
		PointerGetDatum(MakeTextArray(sink.header_)),
		PointerGetDatum(MakeTextArray(names)),
		PointerGetDatum(MakeInt8Array(filled)),
		PointerGetDatum(MakeTextArray(samples)),
		PointerGetDatum(MakeInt4Array(sample_no)),
		PointerGetDatum(MakeText(encoding)),
		Int64GetDatum(static_cast<int64>(c1_count)),
		Int64GetDatum(static_cast<int64>(reader.c1_line())),
		Int32GetDatum(static_cast<int32>(reader.c1_column())),
		PointerGetDatum(MakeText(c1_encoding)),
	};
	spi.Execute("UPDATE " + schema + ".crm_imports SET byte_size = $2, sha256 = $3, delimiter = $4, " +
					"delimiter_detected = $5, had_bom = $6, record_count = $7, column_count = $8, " +
					"ragged_records = $9, header = $10, column_names = $11, column_filled = $12, " +
					"column_samples = $13, column_sample_no = $14, staging_table = 'crm_import_staging." + table +
					"', staged_columns = " + std::to_string(sink.staged_columns()) +
					", upload_seconds = " + std::to_string(seconds) +
					", source_encoding = $15, c1_count = $16, c1_line = $17, c1_column = $18, c1_encoding = $19, " +
					"header_row = " + std::to_string(sink.header_record()) + ", detected_header_row = " + detected_sql +
					", header_row_source = '" + (applied ? "detected" : "first") + "'" +
					(req.source_lo != InvalidOid
						 ? ", source_lo = " + std::to_string(req.source_lo) +
							   ", source_lo_owner = (SELECT m.lomowner FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = " +
							   std::to_string(req.source_lo) + ")"
						 : std::string()) +
					" " +
					"WHERE id = $1",
				19, utypes, uvalues, unulls);

	if (preamble.kind != core::PreambleVerdict::Kind::kNone)
		PreambleNotice(import_id, preamble, sink.shapes());

	// A byte-order mark said otherwise than the encoding argument: the mark won.
	if (!source_reader.overridden_encoding().empty()) {
		std::string given = source_reader.overridden_encoding();
		Guard([&]() noexcept {
			ereport(NOTICE, (errmsg("the file starts with a %s byte-order mark: it was read as %s, not as %s",
									encoding.c_str(), encoding.c_str(), given.c_str()),
							 errhint("A byte-order mark says what the file is; pass encoding => NULL to leave it "
									 "to the mark.")));
		});
	}

	// Valid UTF-8 holding U+0080..U+009F: a DOS or Windows file converted with the wrong code
	// page. Staged as it is (the bytes may be intended); the warning says how to get it right.
	if (c1_count > 0) {
		uint64 line = reader.c1_line(), column = reader.c1_column();
		std::string where = "line " + std::to_string(line) + ", column " + std::to_string(column);
		// Named by its header when it is below the header row (not in it, nor in a preamble).
		uint64 header_line = sink.header_record() <= sink.shapes().size() ? sink.shapes()[sink.header_record() - 1].line_no : 1;
		if (column >= 1 && column <= sink.header_.size() && line > header_line && !sink.header_[column - 1].empty())
			where += " \"" + core::CutUtf8(sink.header_[column - 1], 60) + "\"";
		std::string detail = "The first is " + core::CodePointName(reader.c1_code()) + "; the file holds " +
							 std::to_string(c1_count) + (c1_count == 1 ? " such character" : " such characters") +
							 ". The rows were staged as they are.";
		std::string hint = Sentence(source_reader.C1Hint());
		Guard([&]() noexcept {
			ereport(WARNING, (errmsg("file holds C1 control characters (mojibake from a wrong code page), the first on %s",
									 where.c_str()),
							  errdetail_internal("%s", detail.c_str()), hint.empty() ? 0 : errhint("%s", hint.c_str())));
		});
	}

	// One column although a delimiter was given: most likely the wrong one (a Norwegian
	// Excel file uploaded with delimiter => ','). The upload stands; the NOTICE says why the
	// preview shows one column.
	if (column_count == 1 && !reader.delimiter_detected() && !sink.header_.empty()) {
		const std::string& first = sink.header_[0];
		for (char other : {';', ',', '\t', '|'}) {
			if (other == reader.delimiter())
				continue;
			auto n = std::count(first.begin(), first.end(), other);
			if (n == 0)
				continue;
			std::string name = core::DelimiterName(other);
			std::string detail = "The first line holds " + std::to_string(n) + " " + name +
								 (n == 1 ? "" : "s") + ": its fields may be separated by " + name + "s.";
			std::string hint = std::string("Upload the file again with delimiter => ") +
							   (other == '\t' ? "E'\\t'" : std::string("'") + other + "'") +
							   ", or delimiter => NULL to detect it.";
			// The guarded call holds no C++ temporary: the given delimiter's name is made here.
			std::string given = core::DelimiterName(reader.delimiter());
			Guard([&]() noexcept {
				ereport(NOTICE, (errmsg("every row has one column with the delimiter given (%s)", given.c_str()),
								 errdetail_internal("%s", detail.c_str()), errhint("%s", hint.c_str())));
			});
			break;
		}
	}

	if (!renamed.empty()) {
		// A file of 1,600 one-letter headers renames most of them: name the first ones.
		constexpr size_t kListed = 20;
		std::string detail;
		for (size_t i = 0; i < renamed.size() && i < kListed; i++)
			detail += (detail.empty() ? "" : "; ") + renamed[i];
		if (renamed.size() > kListed)
			detail += "; and " + std::to_string(renamed.size() - kListed) + " more (crm_import_columns lists them all)";
		Guard([&]() noexcept {
			ereport(NOTICE, (errmsg("some header names were blank or repeated and got unique names"),
							 errdetail_internal("%s.", detail.c_str()),
							 errhint("Address these columns by the new names, or by column number.")));
		});
	}
	// Sample values that look like placeholders (-, N/A, null): a NOTICE with the call that
	// reads them as blank (extension/sql/10_lists_upload_preview.sql).
	spi.Execute("SELECT " + schema + ".crm_import_upload_placeholders(" + std::to_string(import_id) + ")");
	return import_id;
}

// Server files: superusers and members of pg_read_server_files only, as for COPY FROM a file.
void CheckServerFileAllowed()
{
	Oid caller = Guard([]() noexcept { return CallerId(); });
	if (!superuser_arg(caller) && !has_privs_of_role(caller, ROLE_PG_READ_SERVER_FILES))
		throw core::UserError("42501", "permission denied to read server files",
							  "Only superusers and members of pg_read_server_files may upload a server-side file.",
							  "Upload the file from the client instead: \\lo_import 'file.csv' in psql, then "
							  "crm_import_upload_lo(list, :LASTOID).");
}

// A large object: it must exist and the calling role must be allowed to read it.
void CheckLargeObjectReadable(Oid lo)
{
	Oid caller = Guard([]() noexcept { return CallerId(); });
	bool exists = Guard([&]() noexcept { return LargeObjectExists(lo); });
	if (!exists)
		throw core::UserError("42704", "large object " + std::to_string(lo) + " does not exist", "",
							  "In psql, \\lo_import 'file.csv' creates one and sets :LASTOID to its oid.");
	bool allowed = Guard([&]() noexcept {
		return lo_compat_privileges ||
			   pg_largeobject_aclcheck_snapshot(lo, caller, ACL_SELECT, GetActiveSnapshot()) == ACLCHECK_OK;
	});
	if (!allowed)
		throw core::UserError("42501", "permission denied for large object " + std::to_string(lo), "",
							  "The owner of the large object can GRANT SELECT ON LARGE OBJECT to you.");
}

}  // namespace
}  // namespace crm::pg

using crm::pg::RunEntry;

// Unpacks the arguments shared by the upload functions (C frame: PostgreSQL calls only).
// file_name_arg, delimiter_arg: where the optional file name and delimiter arguments are
// (crm_import_upload_file takes the delimiter first, as API.md lists it); the encoding is
// the fifth argument of all three.
static void UnpackCommon(FunctionCallInfo fcinfo, crm::pg::UploadRequest* req, const char* source,
						 int file_name_arg = 2, int delimiter_arg = 3)
{
	crm::pg::RequireEntry();
	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("list must not be null"),
						errhint("Pass the name of a list made with crm_import_create_list.")));
	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("the file argument must not be null")));
	req->list = text_to_cstring(PG_GETARG_TEXT_PP(0));
	req->file_name = PG_ARGISNULL(file_name_arg) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(file_name_arg));
	req->delimiter = PG_ARGISNULL(delimiter_arg) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(delimiter_arg));
	req->encoding = PG_ARGISNULL(4) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(4));
	req->source = source;
	req->source_ref = nullptr;
}

extern "C" Datum crm_import_upload(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(5);
	crm::pg::UploadRequest req;
	UnpackCommon(fcinfo, &req, "bytea");
	bytea* data = PG_GETARG_BYTEA_PP(1);
	return RunEntry([&]() -> Datum {
		// crm_import_upload(list, '/path/file.csv') staged the path as a one-column file of
		// one row, and the preview showed a column named after the path. A contact list is
		// never one line naming a file, so this is refused (nothing is written) rather than
		// uploaded with a NOTICE that scripts would not read.
		std::string_view bytes = crm::pg::VarView(data);
		if (crm::core::LooksLikeAFilePath(bytes)) {
			std::string path(crm::core::Trim(bytes));
			throw crm::core::UserError(
				crm::core::sqlstate::kInvalidParameterValue,
				"crm_import_upload was given a file path, not a file: \"" + crm::core::CutUtf8(path, 200) + "\"",
				"The data is the file's contents (bytea or text); no path is opened.",
				"In psql: \\lo_import '" + path + "' then SELECT crm_import_upload_lo(list, :LASTOID); "
				"a file on the database server: SELECT crm_import_upload_file(list, '" + path +
					"') (in one call with a profile: crm_import_from_file(list, '" + path +
					"', profile)). A one-line file that really holds this text needs a line break at its end.");
		}
		crm::pg::BytesSource source(VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data));
		return Int64GetDatum(crm::pg::Upload(req, source));
	});
}

extern "C" Datum crm_import_upload_lo(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(5);
	crm::pg::UploadRequest req;
	UnpackCommon(fcinfo, &req, "large_object");
	Oid lo = PG_GETARG_OID(1);
	return RunEntry([&]() -> Datum {
		crm::pg::CheckLargeObjectReadable(lo);
		std::string ref = std::to_string(lo);
		req.source_ref = ref.c_str();
		req.source_lo = lo;
		crm::pg::LargeObjectSource source(lo);
		return Int64GetDatum(crm::pg::Upload(req, source));
	});
}

extern "C" Datum crm_import_upload_file(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(5);
	crm::pg::UploadRequest req;
	UnpackCommon(fcinfo, &req, "server_file", 3, 2);
	const char* path = text_to_cstring(PG_GETARG_TEXT_PP(1));
	return RunEntry([&]() -> Datum {
		crm::pg::CheckServerFileAllowed();
		req.source_ref = path;
		if (req.file_name == nullptr) {
			const char* slash = std::strrchr(path, '/');
			req.file_name = slash != nullptr ? slash + 1 : path;
		}
		crm::pg::FileSource source(path);
		return Int64GetDatum(crm::pg::Upload(req, source));
	});
}

// crm_import_trim_header(name text): a column name given by a user, trimmed exactly as the
// upload trims header names (core::Trim, above in UploadSink::Stage), so the two compare
// byte for byte. btrim would leave no-break and zero-width spaces the header lost.
extern "C" Datum crm_import_trim_header(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	std::string_view trimmed = crm::core::Trim(crm::pg::VarView(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(trimmed.data(), static_cast<int>(trimmed.size())));
}

// crm_import_column_names_of(header text[]): the unique column names the upload makes of
// header fields (core::UniqueColumnNames), for crm_import_set_header moving the header row.
extern "C" Datum crm_import_column_names_of(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	ArrayType* header = PG_GETARG_ARRAYTYPE_P(0);
	Datum* elems;
	bool* nulls;
	int n;
	deconstruct_array(header, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	return RunEntry([&]() -> Datum {
		std::vector<std::string> fields;
		for (int i = 0; i < n; i++)
			fields.emplace_back(nulls[i] ? std::string_view() : crm::pg::VarView(reinterpret_cast<varlena*>(DatumGetPointer(elems[i]))));
		std::vector<std::string> renamed;
		std::vector<std::string> names = crm::core::UniqueColumnNames(fields, fields.size(), renamed);
		return PointerGetDatum(crm::pg::MakeTextArray(names));
	});
}

// crm_import_sample_value(value text): a value cut as the upload cuts column samples.
extern "C" Datum crm_import_sample_value(PG_FUNCTION_ARGS)
{
	CRM_REQUIRE_NARGS(1);
	std::string_view v = crm::pg::VarView(PG_GETARG_TEXT_PP(0));
	if (v.size() <= crm::core::ColumnStats::kMaxSampleBytes)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	return RunEntry([&]() -> Datum {
		return PointerGetDatum(crm::pg::MakeText(crm::core::CutUtf8(v, crm::core::ColumnStats::kMaxSampleBytes)));
	});
}
