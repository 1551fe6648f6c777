// The AWS shared files (~/.aws/config, ~/.aws/credentials) as botocore reads them: sections
// `[default]`, `[profile NAME]` (config) or `[NAME]` (credentials), `[sso-session NAME]`,
// `key = value` lines, `#`/`;` comments, indented sub-keys (nested service blocks) ignored.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ks::aws {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;  // section name as written between brackets

IniFile parse_ini(std::string_view text);

// The profile NAME's section: in the config file `[profile NAME]` (or `[default]`), in the
// credentials file `[NAME]`.
std::optional<IniSection> config_profile(const IniFile& config, const std::string& name);
std::optional<IniSection> credentials_profile(const IniFile& credentials, const std::string& name);

}  // namespace ks::aws
