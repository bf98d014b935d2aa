// Values that come from untrusted metadata (OVF, VMX, libvirt XML, the guest itself) and later
// reach file names, XML, shell scripts, qemu command lines or the terminal. Every input module
// checks them here, when it parses them, so no renderer ever sees a value outside these sets.
// Pure: no I/O.

const MiB = 1024 ** 2;
const TiB = 1024 ** 4;

/** Guest memory bounds (bytes): qemu and libvirt refuse less than 1 MiB; 16 TiB is far above any VM. */
export const MEMORY_MIN_BYTES = MiB;
export const MEMORY_MAX_BYTES = 16 * TiB;
/** vCPU bounds: qemu's x86 maximum is 4096 (q35 with x2apic). */
export const VCPUS_MAX = 4096;

/** A guest name becomes file names (NAME-sda, NAME.xml): at most this many UTF-8 bytes. */
export const GUEST_NAME_MAX_BYTES = 200;
/** Network, bridge and port-group names: at most this many characters. */
export const NETWORK_NAME_MAX_CHARS = 255;

/**
 * Guest names: letters and digits of any script, and a few punctuation marks VMware users put in
 * VM names. No "/" or NUL (file names), no quotes, "<", "&", "$" or "`" (XML and shell, even
 * though every renderer escapes them too), no control characters, no leading "." or "-".
 */
const GUEST_NAME = /^[\p{L}\p{N}_][\p{L}\p{N} _.+\-@()[\],:#~]*$/u;
/** Network names: as guest names, plus "/" (vSphere port groups use it), and may start with anything allowed. */
const NETWORK_NAME = /^[\p{L}\p{N} _.+\-@()[\],:#~/]+$/u;

/** Why `name` cannot be a guest name, or undefined when it can. The name itself is shown escaped. */
export function guestNameProblem(name: string): string | undefined {
  if (name === "") return "the guest name is empty";
  if (Buffer.byteLength(name, "utf8") > GUEST_NAME_MAX_BYTES) {
    return `the guest name is longer than ${GUEST_NAME_MAX_BYTES} bytes`;
  }
  if (!GUEST_NAME.test(name)) {
    return `the guest name ${quoteForMessage(name)} has characters that cannot be used in file names and metadata (allowed: letters, digits, space and _ . + - @ ( ) [ ] , : # ~, not first . or -)`;
  }
  return undefined;
}

/** Why `name` cannot be a network or bridge name, or undefined when it can. */
export function networkNameProblem(name: string): string | undefined {
  if (name === "") return "the network name is empty";
  if ([...name].length > NETWORK_NAME_MAX_CHARS) return `the network name is longer than ${NETWORK_NAME_MAX_CHARS} characters`;
  if (name.startsWith("-") || !NETWORK_NAME.test(name)) {
    return `the network name ${quoteForMessage(name)} has characters that are not allowed (allowed: letters, digits, space and _ . + - @ ( ) [ ] , : # ~ /)`;
  }
  return undefined;
}

/** A MAC address as six hex pairs separated by ":" or "-", normalised to lower case with ":"; else undefined. */
export function normalizeMac(raw: string): string | undefined {
  const m = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(raw.trim());
  return m ? m.slice(1).join(":").toLowerCase() : undefined;
}

/**
 * Replace what a terminal would interpret (C0 and C1 controls, DEL, Unicode line separators and
 * bidirectional overrides) by visible escapes, so text from a guest or an OVF cannot move the
 * cursor, recolour the screen, or forge a line of output. Newlines are escaped too: one message,
 * one line.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.codePointAt(0)!;
    if (c === "\n") return "\\n";
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** A value inside a message: JSON-quoted (quotes and backslashes escaped), terminal-safe, cut at 80 characters. */
export function quoteForMessage(value: string, maxChars = 80): string {
  const chars = [...value];
  const cut = chars.length > maxChars ? `${chars.slice(0, maxChars).join("")}…` : value;
  return escapeForTerminal(JSON.stringify(cut));
}
