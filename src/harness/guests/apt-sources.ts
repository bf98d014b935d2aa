// The Debian archive the host's apt is configured with, read from its sources (deb822 .sources
// files and one-line sources.list), so the harness debootstraps from the host's own mirror.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Pure: the first http(s) URI of a "deb" source that serves a Debian release suite, or undefined. */
export function debianUriFromSources(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    // deb822 stanzas: "Types: deb", "URIs: ...", "Suites: bookworm ...".
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(.+)$`, "mi").exec(stanza)?.[1]?.trim();
      const uri = field("URIs")?.split(/\s+/)[0];
      if (/\bdeb\b/.test(field("Types") ?? "") && uri && /^https?:\/\//.test(uri) && !/security/.test(uri) && /\b(bookworm|trixie|bullseye|sid)\b/.test(field("Suites") ?? "")) {
        return uri.replace(/\/+$/, "");
      }
    }
    // One-line form: "deb [opts] URI suite components".
    for (const line of text.split("\n")) {
      const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(https?:\/\/\S+)\s+(bookworm|trixie|bullseye|sid)\b/.exec(line);
      if (m && !/security/.test(m[1]!)) return m[1]!.replace(/\/+$/, "");
    }
  }
  return undefined;
}

/** The host's Debian archive; throws naming the files read when apt has none configured. */
export function hostDebianMirror(aptDir = "/etc/apt"): string {
  const read = (p: string): string => { try { return readFileSync(p, "utf8"); } catch { return ""; } };
  const dir = join(aptDir, "sources.list.d");
  let parts: string[] = [];
  try { parts = readdirSync(dir).filter((f) => /\.(sources|list)$/.test(f)).sort().map((f) => join(dir, f)); } catch { /* no directory */ }
  const uri = debianUriFromSources([...parts.map(read), read(join(aptDir, "sources.list"))]);
  if (!uri) throw new Error(`no Debian archive found in ${aptDir}/sources.list or ${dir}; configure apt with one (the harness debootstraps from it)`);
  return uri;
}
