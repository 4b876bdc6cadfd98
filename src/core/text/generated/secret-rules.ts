// GENERATED FILE: do not edit. Regenerate with `npm run gen:secret-rules`
// (scripts/gen-secret-rules.ts), after upgrading @secretlint/secretlint-rule-preset-recommend.
// Patterns of @secretlint/secretlint-rule-preset-recommend@13.1.0 (MIT), read from its scanner rules
// by scripts/secret-rules-extract.ts; used by src/core/text/redact.ts.

/** Where the patterns below came from. */
export const SECRET_RULES_SOURCE = { package: '@secretlint/secretlint-rule-preset-recommend', version: '13.1.0' } as const;

/** One detection pattern: the secretlint rule it belongs to, and the RegExp source and flags (without `g`). */
export interface SecretRule {
  readonly rule: string;
  readonly source: string;
  readonly flags: string;
}

export const SECRET_RULES: readonly SecretRule[] = [
  { rule: "aws", source: "\\b(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\\b", flags: "" },
  { rule: "aws", source: "(\"|')?(AWS|aws|Aws)?_?(ACCOUNT|account|Account)_?(ID|id|Id)?(\"|')?\\s*(:|=>|=)\\s*(\"|')?[0-9]{4}\\-?[0-9]{4}\\-?[0-9]{4}(\"|')?\\b", flags: "" },
  { rule: "aws", source: "[\"']?(?:AWS|aws|Aws)?_?(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)[\"']?\\s*(?::|=>|=)\\s*[\"']?([A-Za-z0-9/\\+=]{40})[\"']?\\b", flags: "" },
  { rule: "privatekey", source: "-----BEGIN[ ]?(?:(?:RSA|DSA|EC|OPENSSH|PGP) )?PRIVATE KEY(?: BLOCK)?-----\\n?([A-Za-z0-9+/=\\s\\\\]{100,10000})\\n?-----END[ ]?(?:(?:RSA|DSA|EC|OPENSSH|PGP) )?PRIVATE KEY(?: BLOCK)?-----", flags: "m" },
  { rule: "npm", source: "(?<!\\p{L})npm_[A-Za-z0-9_]{36}(?![A-Za-z0-9_])", flags: "u" },
  { rule: "basicauth", source: "(?<protocol>(?:https?|ftp|ftps)):\\/\\/(?<user>[-a-zA-Z0-9_]{1,256}):(?<password>[-a-zA-Z0-9_]{1,256})@[-a-zA-Z0-9%._+~#=]{1,256}\\.[a-zA-Z0-9()]{1,6}\\b", flags: "" },
  { rule: "slack", source: "\\b(?:xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-(?:\\d-)?(?:[a-zA-Z0-9]{1,40}-)+[a-zA-Z0-9]{1,40}\\b", flags: "" },
  { rule: "slack", source: "https:\\/\\/hooks\\.slack\\.com\\/services\\/T[a-zA-Z0-9]{1,40}\\/B[a-zA-Z0-9]{1,40}\\/[a-zA-Z0-9]{1,40}", flags: "i" },
  { rule: "sendgrid", source: "(?<!\\p{L})SG\\.\\w{1,128}\\.\\w{1,128}([-_]?)\\w{1,128}(?!\\w)", flags: "u" },
  { rule: "shopify", source: "(?<!\\p{L})(shppa|shpca|shpat|shpss)_[a-zA-Z0-9]{32,64}(?![a-zA-Z0-9])", flags: "u" },
  { rule: "stripe", source: "(?<!\\p{L})(?<prefix>sk_live|sk_test|rk_live|rk_test)_[a-zA-Z0-9]{24,99}(?![a-zA-Z0-9])", flags: "u" },
  { rule: "github", source: "(?<!\\p{L})(?<type>ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}(?![A-Za-z0-9_])", flags: "u" },
  { rule: "github", source: "(?<!\\p{L})(?<type>github_pat)_[A-Za-z0-9_]{82}(?![A-Za-z0-9_])", flags: "u" },
  { rule: "github", source: "(?<!\\p{L})(?<type>ghs)_[0-9]{1,20}_[A-Za-z0-9_-]{1,1000}\\.[A-Za-z0-9_-]{1,10000}\\.[A-Za-z0-9_-]{1,1000}(?![A-Za-z0-9_-])", flags: "u" },
  { rule: "gitlab", source: "(?<!\\p{L})glpat-[A-Za-z0-9_-]{20,128}(?![A-Za-z0-9_-])", flags: "u" },
  { rule: "grafana", source: "(?<!\\p{L})glc_[A-Za-z0-9+/]{32,400}={0,2}(?![A-Za-z0-9+/=])", flags: "u" },
  { rule: "grafana", source: "(?<!\\p{L})glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Fa-f0-9])", flags: "u" },
  { rule: "openai", source: "sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}", flags: "" },
  { rule: "anthropic", source: "(?<!\\p{L})sk-ant-api0\\d-[A-Za-z0-9_-]{90,128}AA(?![A-Za-z0-9_-])", flags: "u" },
  { rule: "groq", source: "(?<!\\p{L})gsk_[a-zA-Z0-9]{52}(?![a-zA-Z0-9])", flags: "u" },
  { rule: "huggingface", source: "(?<!\\p{L})hf_[a-zA-Z]{34}(?![a-zA-Z])", flags: "u" },
  { rule: "linear", source: "(?<!\\p{L})lin_api_[a-zA-Z0-9_]{32,128}(?![a-zA-Z0-9_])", flags: "u" },
  { rule: "notion", source: "(?<!\\p{L})ntn_[0-9]{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])", flags: "u" },
  { rule: "1password", source: "(?<!\\p{L})ops_(ey[A-Za-z0-9+/=]{100,1280}fQ={0,2})(?![A-Za-z0-9+/=])", flags: "u" },
  { rule: "database-connection-string", source: "mongodb(?:\\+srv)?:\\/\\/(?:(?<username>[^:\\/\\s]{1,100}):(?<password>[^@\\/\\s]{1,200})@)?(?<host>[^\\/\\s?]{1,100})(?:\\/(?<database>[^?\\s]{0,100}))?(?:\\?(?<options>[^\\s]{0,500}))?", flags: "i" },
  { rule: "database-connection-string", source: "(?:jdbc:)?mysql(?:x)?:\\/\\/(?:(?<username>[^:\\/\\s]{1,100}):(?<password>[^@\\/\\s]{1,200})@)?(?<host>[^\\/\\s?]{1,100})(?:\\/(?<database>[^?\\s]{0,100}))?(?:\\?(?<options>[^\\s]{0,500}))?", flags: "i" },
  { rule: "database-connection-string", source: "postgres(?:ql)?:\\/\\/(?:(?<username>[^:\\/\\s]{1,100}):(?<password>[^@\\/\\s]{1,200})@)?(?<host>[^\\/\\s?]{1,100})(?:\\/(?<database>[^?\\s]{0,100}))?(?:\\?(?<options>[^\\s]{0,500}))?", flags: "i" },
  { rule: "hashicorp-vault", source: "(?<!\\p{L})hvs\\.[A-Za-z0-9_-]{90,120}(?![A-Za-z0-9_-])", flags: "u" },
  { rule: "hashicorp-vault", source: "(?<!\\p{L})hvb\\.[A-Za-z0-9_-]{138,300}(?![A-Za-z0-9_-])", flags: "u" },
  { rule: "hashicorp-vault", source: "(?<!\\p{L})hvr\\.[A-Za-z0-9_-]{90,120}(?![A-Za-z0-9_-])", flags: "u" },
  { rule: "vercel", source: "(?<!\\p{L})(?<prefix>vcp|vci|vca|vcr|vck)_[A-Za-z0-9]{20,60}(?![A-Za-z0-9])", flags: "u" },
  { rule: "databricks", source: "(?<!\\p{L})dapi[A-Fa-f0-9]{32}(?:-[0-9])?(?![A-Fa-f0-9])", flags: "u" },
  { rule: "docker", source: "(?<!\\p{L})dckr_pat_[a-zA-Z0-9_-]{27}(?![a-zA-Z0-9_-])", flags: "u" },
  { rule: "figma", source: "(?<!\\p{L})figd_[A-Za-z0-9_-]{40,200}(?![A-Za-z0-9_-])", flags: "u" },
  { rule: "cloudflare", source: "(?<!\\p{L})(?<prefix>cfk|cfut|cfat)_[A-Za-z0-9]{40}[0-9a-f]{8}(?![A-Za-z0-9])", flags: "u" },
  { rule: "tailscale", source: "(?<!\\p{L})tskey-(?<type>[a-z]{2,20})-[0-9A-Za-z_]{8,40}-[0-9A-Za-z_]{16,60}(?![0-9A-Za-z_])", flags: "u" },
];
