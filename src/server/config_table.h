// Internal to the config module: the directive table and the per-type
// parse / print / rewrite logic (Redis 7.0.15's standardConfig machinery).
//
// config_table.cc owns the data (every directive with its alias, flags,
// bounds, default, and whether Vireo implements it yet); config_values.cc
// the typed operations (parse, print, rewrite); config.cc the file grammar,
// CONFIG GET/SET/REWRITE and the command line. Nothing outside
// src/server/config*.cc includes this header.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/config.h"

namespace vireo::server::config_internal {

// Redis's config flags (server.h *_CONFIG).
enum ConfigFlag : uint32_t {
  kModifiable = 0,
  kImmutable = 1u << 0,
  kSensitive = 1u << 1,   // CONFIG SET redacts the value from logs
  kDebug = 1u << 2,       // listed by DEBUG CONFIG-REWRITE-FORCE-ALL
  kMultiArg = 1u << 3,    // takes several arguments (CONFIG SET splits on ' ')
  kHidden = 1u << 4,      // CONFIG GET only by exact name
  kProtected = 1u << 5,   // settable only when enable-protected-configs allows
  kDenyLoading = 1u << 6, // not settable while loading the dataset
  kBinarySafe = 1u << 7,  // kString kept whole, NUL bytes included (Redis's SDS configs)
};

enum class ConfigType { kBool, kString, kEnum, kNumeric, kSpecial };

// Numeric parse / print flavours (Redis's INTEGER/MEMORY/PERCENT/OCTAL).
enum NumFlag : uint32_t { kNumInteger = 0, kNumMemory = 1, kNumPercent = 2, kNumOctal = 4 };

// The C type Redis stores a numeric config in: it decides whether the bound
// check is signed or unsigned ("argument must be between ...").
enum class NumType { kInt, kUInt, kLong, kULong, kLongLong, kULongLong, kSizeT, kSSizeT, kOffT, kTimeT };

enum class Special {
  kNone,
  kDir,
  kSave,
  kClientOutputBufferLimit,
  kOomScoreAdjValues,
  kNotifyKeyspaceEvents,
  kBind,
  kReplicaOf,
  kLatencyTrackingInfoPercentiles,
};

struct EnumItem {
  const char* name;  // nullptr terminates a list
  int value;
};

struct SlotContext;
using IntValidator = bool (*)(long long value, std::string* err);
using StringValidator = bool (*)(const std::string& value, const SlotContext& ctx, std::string* err);

struct ConfigDef {
  const char* name = nullptr;
  const char* alias = nullptr;
  uint32_t flags = 0;
  ConfigType type = ConfigType::kBool;
  // kBool / kEnum / kNumeric validator (Redis's is_valid_fn)
  IntValidator int_valid = nullptr;
  bool bool_default = false;
  // kString: nullptr default means NULL (printed as "")
  const char* str_default = nullptr;
  bool empty_is_null = false;
  StringValidator str_valid = nullptr;
  // kEnum; with kMultiArg the values are bit flags combined from several words
  const EnumItem* enum_items = nullptr;
  int enum_default = 0;
  // kNumeric
  NumType num_type = NumType::kInt;
  uint32_t num_flags = kNumInteger;
  long long lower = 0, upper = 0, num_default = 0;
  // kSpecial
  Special special = Special::kNone;
};

// Every Redis 7.0.15 directive, in the order of Redis's static_configs[].
const std::vector<ConfigDef>& ConfigTable();

// The one list of directives whose feature exists in Vireo today.
bool IsActiveDirective(std::string_view canonical_name);

// Deprecated directives Redis 7.0.15 silently ignores with exactly this
// argument count (argv[0] included).
bool IsIgnoredDeprecatedDirective(std::string_view lower_name, size_t argc);

enum class FieldKind { kNone, kBool, kInt32, kUInt32, kInt64, kUInt64, kString };

// Runtime state of one directive: where its value lives (a Config field, or
// the slot's own storage when no field is bound).
struct Slot {
  const ConfigDef* def = nullptr;
  void* field = nullptr;
  FieldKind kind = FieldKind::kNone;
  bool active = false;
  bool own_bool = false;
  int own_int = 0;
  long long own_ll = 0;
  std::string own_str;
};

// What the typed operations may need beyond the slot itself.
struct SlotContext {
  Config* cfg = nullptr;
  bool reading_config_file = false;  // Load() vs CONFIG SET (matters for `save`)
  bool* save_loaded = nullptr;       // first `save` line of a load resets the defaults
  // proc-title-template variables ({listen-addr}, {port}, ...); nullopt for
  // an unknown variable.
  std::function<std::optional<std::string>(std::string_view)> title_var;
};

// Redis's rewriteConfigState: the old file as lines plus, per option, the
// line numbers still available for reuse.
class RewriteState {
 public:
  std::vector<std::string> lines;
  std::unordered_map<std::string, std::deque<size_t>> option_to_line;  // lower-case keys
  std::unordered_set<std::string> rewritten;
  bool needs_signature = true;
  bool force_write = false;  // write every option, defaults included

  void MarkProcessed(std::string_view option);
  // Replaces the first unused old line of `option` with `line`, or appends it
  // (after the signature) when there is none and `force` is set.
  void RewriteLine(std::string_view option, std::string line, bool force);
  // Blanks the old lines of processed options that were not reused.
  void RemoveOrphaned();
  // Joins the lines, squeezing runs of empty lines into one.
  std::string Content() const;
};

inline constexpr std::string_view kRewriteSignature = "# Generated by CONFIG REWRITE";

// Binds the slots of directives that have a typed Config field
// (config_table.cc); the others get the slot's own storage.
void BindSlots(Config* cfg, std::vector<Slot>* slots);
// Sets the Redis default value.
void InitSlot(Slot* slot, const SlotContext& ctx);
// Redis's interface.set: 0 error (*err set), 1 changed, 2 unchanged.
int SetSlot(Slot* slot, const std::vector<std::string>& args, const SlotContext& ctx,
            std::string* err);
// Redis's interface.get (the CONFIG GET value).
std::string GetSlot(const Slot& slot, const SlotContext& ctx);
// Redis's interface.rewrite.
void RewriteSlot(const Slot& slot, std::string_view name, const SlotContext& ctx,
                 RewriteState* state);

// Helpers shared with config.cc.
std::string ToLower(std::string_view s);
// Redis memtoull(): "1k" = 1000, "1kb" = 1024, ... any case; no overflow
// check (as in Redis 7.0.15).
bool MemToUll(const std::string& s, unsigned long long* out);
// Redis string2ll().
bool StringToLL(std::string_view s, long long* out);
// Redis sdstemplate() over the proc-title variables; nullopt when invalid.
std::optional<std::string> ExpandTemplate(std::string_view tmpl,
                                          const std::function<std::optional<std::string>(std::string_view)>& var);

}  // namespace vireo::server::config_internal
