// Which files may be native programs: the language catalogers that read binaries (Go build info,
// Rust audit data) call this from wants(), which runs for every file, so it is a mode and name test.

/** Executables that are certainly scripts or data, whatever their mode says. */
const NOT_BINARY = /\.(sh|bash|py|pl|pm|rb|js|mjs|cjs|ts|lua|php|txt|md|json|ya?ml|xml|html?|css|conf|cfg|ini|pem|crt|jar|war|zip|gz|tgz|xz|bz2|zst|png|jpe?g|gif|svg)$/i;

/** An .exe, or an executable bit set and not a known script/data name; never below 64 bytes. */
export function isCandidateExecutable(meta: { path: string; size: number; mode: number }): boolean {
  if (meta.size < 64) return false;
  // Windows layers carry no Unix execute bits; their programs are known by name.
  if (/\.exe$/i.test(meta.path)) return true;
  return (meta.mode & 0o111) !== 0 && !NOT_BINARY.test(meta.path);
}
