// The RustSec importer: the advisory-db repository layout, crates/<crate>/RUSTSEC-*.md for crates.io
// packages and rust/<component>/CVE-*.md for the Rust toolchain (std, cargo, rustdoc), whose
// versions are Rust releases (marked runtime 'rust').

import type { Importer, ImportSink } from '../../importer.ts';
import { detectPath, forEachFile } from '../lang-common/files.ts';
import { looksLikeRustsec, parseRustsec } from './parse.ts';

/**
 * Advisory files: Markdown (current layout) or TOML (pre-2021) in crates/<crate>/ or rust/<component>/.
 * The repository root's own Markdown (README, CONTRIBUTING, EXAMPLE_ADVISORY.md with its placeholder
 * front matter) is not an advisory.
 */
function wanted(path: string): boolean {
  return /(^|[\\/])(crates|rust)[\\/][^\\/]+[\\/][^\\/]+\.(md|toml)$/i.test(path);
}

/** rust/<component>/<file>: a toolchain advisory. */
function isToolchain(path: string): boolean {
  return /(^|[\\/])rust[\\/][^\\/]+[\\/][^\\/]+$/.test(path);
}

export async function importRustsec(root: string, sink: ImportSink): Promise<void> {
  await forEachFile(root, sink, wanted, (file, text) => {
    sink.advisory(parseRustsec(text, { toolchain: isToolchain(file) }, (m) => sink.warn(file, m)));
  });
}

export const rustsecImporter: Importer = {
  name: 'rustsec',
  description: 'RustSec advisory database (crates.io and Rust toolchain advisories, Markdown + TOML)',
  detect: (path) => detectPath(path, wanted, looksLikeRustsec),
  import: importRustsec,
  upstream: [{ name: 'advisory-db', url: 'https://github.com/rustsec/advisory-db/archive/refs/heads/main.tar.gz', kind: 'tar.gz' }],
};
