// Pure parsers for guestfish's printed results (hashes, struct lists), kept apart so unit tests
// can check them on captured output.

/** "key: value" lines (guestfish prints hashtables and single structs this way). */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf(": ");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 2);
    else if (line.endsWith(":")) out[line.slice(0, -1).trim()] = "";
  }
  return out;
}

/** Non-empty lines. */
export function parseLines(text: string): string[] {
  return text.split("\n").filter((l) => l.length > 0);
}

/**
 * A list of structs, printed as
 *   [0] = {
 *     app2_name: adduser
 *     ...
 *   }
 */
export function parseStructList(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let cur: Record<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (/^\[\d+\] = \{$/.test(line)) cur = {};
    else if (line === "}") {
      if (cur) out.push(cur);
      cur = undefined;
    } else if (cur) {
      const i = line.indexOf(":");
      if (i > 0) cur[line.slice(0, i)] = line.slice(i + 1).trim();
    }
  }
  return out;
}

/** Package version as dpkg/rpm show it: [epoch:]version[-release]. */
export function formatAppVersion(app: Record<string, string>): string {
  const epoch = app["app2_epoch"] && app["app2_epoch"] !== "0" ? `${app["app2_epoch"]}:` : "";
  const release = app["app2_release"] ? `-${app["app2_release"]}` : "";
  return `${epoch}${app["app2_version"] ?? ""}${release}`;
}

/** Quote one word for /bin/sh: single quotes, with embedded single quotes closed and escaped. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
