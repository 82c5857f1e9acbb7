// Redis's addReplyHelp and addReplySubcommandSyntaxError: the common shapes
// of every "<CMD> HELP" reply and of a bad subcommand.
#include <cctype>
#include <string>

#include "commands/common.h"

namespace vireo::commands {

void ReplyHelp(Client& c, const char* const* lines) {
  std::string name = c.argv[0].size() ? std::string(c.argv[0]) : std::string();
  for (char& ch : name) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  int n = 0;
  while (lines[n]) n++;
  c.reply.ArrayLen(n + 3);
  c.reply.Simple(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (int i = 0; i < n; i++) c.reply.Simple(lines[i]);
  c.reply.Simple("HELP");
  c.reply.Simple("    Prints this help.");
}

void ReplySubcommandSyntaxError(Client& c) {
  std::string cmd(c.argv[0]);
  for (char& ch : cmd) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  Err(c, server::err::SubcommandSyntax(c.argv[1].substr(0, 128), cmd));
}

}  // namespace vireo::commands
