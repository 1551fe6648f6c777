#include "src/crypto/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "src/core/error.hpp"
#include "src/crypto/hash.hpp"

namespace ks::crypto::sigv4 {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trim, and collapse each run of whitespace inside the value to one space (RFC 7230 folding too).
std::string canonical_header_value(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// RFC 3986 remove_dot_segments plus collapsing of empty segments ("//"), keeping a trailing '/'.
std::string normalize(std::string_view path) {
  std::vector<std::string_view> segs;
  bool trailing = false;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    bool last = j == path.size();
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.push_back(seg);
    }
    if (last) trailing = seg.empty() || seg == "." || seg == "..";
    i = j + 1;
  }
  std::string out = "/";
  for (size_t k = 0; k < segs.size(); ++k) {
    if (k > 0) out.push_back('/');
    out.append(segs[k]);
  }
  if (trailing && !segs.empty()) out.push_back('/');
  return out;
}

struct Canonical {
  std::string headers;         // "name:value\n" per header, sorted
  std::string signed_headers;  // "a;b;c"
};

Canonical canonical_headers(const HeaderList& headers) {
  std::map<std::string, std::string> merged;  // sorted by lower-case name; repeats joined with ','
  for (const auto& [name, value] : headers) {
    auto [it, inserted] = merged.try_emplace(lower(name), canonical_header_value(value));
    if (!inserted) it->second += "," + canonical_header_value(value);
  }
  if (!merged.contains("host")) throw Error(ErrorKind::internal, "SigV4: the request has no Host header");
  Canonical c;
  for (const auto& [name, value] : merged) {
    c.headers += name + ":" + value + "\n";
    if (!c.signed_headers.empty()) c.signed_headers.push_back(';');
    c.signed_headers += name;
  }
  return c;
}

std::string payload_hash(const Request& r, const Options& o) {
  return o.unsigned_payload ? std::string(kUnsignedPayload) : sha256_hex(r.payload);
}

std::string scope_of(const std::string& date, std::string_view region, std::string_view service) {
  return date.substr(0, 8) + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
}

std::string build_canonical_request(const Request& r, const std::string& query, const Canonical& ch,
                                    const std::string& hash, const Options& o) {
  return r.method + "\n" + canonical_uri(r.path, o) + "\n" + query + "\n" + ch.headers + "\n" +
         ch.signed_headers + "\n" + hash;
}

std::string build_string_to_sign(const std::string& date, const std::string& scope,
                                 const std::string& canonical_request) {
  return std::string(kAlgorithm) + "\n" + date + "\n" + scope + "\n" + sha256_hex(canonical_request);
}

std::string sign_string(const Credentials& c, const std::string& date, std::string_view region,
                        std::string_view service, const std::string& sts) {
  std::string key = signing_key(c.secret_access_key, date.substr(0, 8), region, service);
  std::string sig = hmac_sha256_hex(key, sts);
  secure_wipe(key);
  return sig;
}

}  // namespace

std::string uri_encode(std::string_view bytes, bool keep_slash) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (unsigned char c : bytes) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kUpperHex[c >> 4]);
      out.push_back(kUpperHex[c & 15]);
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      if (auto byte = from_hex(text.substr(i + 1, 2))) {
        out += *byte;
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);  // a stray '%' is kept as a literal (and encoded as %25 later)
  }
  return out;
}

std::string canonical_uri(std::string_view path, const Options& options) {
  std::string p = path.empty() ? std::string("/") : std::string(path);
  if (options.normalize_path) p = normalize(p);
  // Non-S3 services encode the wire path once more: a '%' already on the wire becomes "%25".
  return options.encode_path ? uri_encode(p, /*keep_slash=*/true) : p;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    std::string_view item = query.substr(i, j - i);
    if (!item.empty()) {
      size_t eq = item.find('=');
      std::string_view name = item.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
      params.emplace_back(uri_encode(percent_decode(name), false), uri_encode(percent_decode(value), false));
    }
    i = j + 1;
  }
  std::sort(params.begin(), params.end());  // by encoded name, then encoded value (byte order)
  std::string out;
  for (const auto& [n, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += n + "=" + v;
  }
  return out;
}

std::string amz_date(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string signing_key(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                        std::string_view service) {
  std::string k = "AWS4" + std::string(secret);
  std::string k_date = hmac_sha256(k, yyyymmdd);
  secure_wipe(k);
  std::string k_region = hmac_sha256(k_date, region);
  std::string k_service = hmac_sha256(k_region, service);
  std::string k_signing = hmac_sha256(k_service, "aws4_request");
  secure_wipe(k_date);
  secure_wipe(k_region);
  secure_wipe(k_service);
  return k_signing;
}

SignedHeaders sign(const Request& request, const Credentials& credentials, std::string_view region,
                   std::string_view service, TimePoint now, const Options& options) {
  SignedHeaders out;
  out.amz_date = amz_date(now);
  const std::string hash = payload_hash(request, options);
  HeaderList signed_list = request.headers;
  signed_list.emplace_back("X-Amz-Date", out.amz_date);
  out.headers_to_add.emplace_back("X-Amz-Date", out.amz_date);
  if (!credentials.session_token.empty()) {
    if (!options.omit_session_token) signed_list.emplace_back("X-Amz-Security-Token", credentials.session_token);
    out.headers_to_add.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (options.add_content_sha256) {
    signed_list.emplace_back("x-amz-content-sha256", hash);
    out.headers_to_add.emplace_back("x-amz-content-sha256", hash);
  }
  Canonical ch = canonical_headers(signed_list);
  const std::string scope = scope_of(out.amz_date, region, service);
  out.canonical_request = build_canonical_request(request, canonical_query(request.query), ch, hash, options);
  out.string_to_sign = build_string_to_sign(out.amz_date, scope, out.canonical_request);
  out.signature = sign_string(credentials, out.amz_date, region, service, out.string_to_sign);
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + ch.signed_headers + ", Signature=" + out.signature;
  out.headers_to_add.emplace_back("Authorization", out.authorization);
  return out;
}

PresignedQuery presign(const Request& request, const Credentials& credentials, std::string_view region,
                       std::string_view service, TimePoint now, std::chrono::seconds expires,
                       const Options& options) {
  PresignedQuery out;
  const std::string date = amz_date(now);
  const std::string scope = scope_of(date, region, service);
  Canonical ch = canonical_headers(request.headers);
  std::string query = request.query;
  auto add = [&query](std::string_view name, std::string_view value) {
    if (!query.empty()) query.push_back('&');
    query += std::string(name) + "=" + uri_encode(value, false);
  };
  add("X-Amz-Algorithm", kAlgorithm);
  add("X-Amz-Credential", credentials.access_key_id + "/" + scope);
  add("X-Amz-Date", date);
  add("X-Amz-Expires", std::to_string(expires.count()));
  if (!credentials.session_token.empty() && !options.omit_session_token) {
    add("X-Amz-Security-Token", credentials.session_token);
  }
  add("X-Amz-SignedHeaders", ch.signed_headers);
  const std::string cquery = canonical_query(query);
  out.canonical_request = build_canonical_request(request, cquery, ch, payload_hash(request, options), options);
  out.string_to_sign = build_string_to_sign(date, scope, out.canonical_request);
  out.signature = sign_string(credentials, date, region, service, out.string_to_sign);
  out.query = cquery + "&X-Amz-Signature=" + out.signature;
  if (!credentials.session_token.empty() && options.omit_session_token) {
    out.query += "&X-Amz-Security-Token=" + uri_encode(credentials.session_token, false);
  }
  return out;
}

}  // namespace ks::crypto::sigv4
