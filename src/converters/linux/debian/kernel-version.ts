// Debian's version order (dpkg's verrevcmp), and kernel releases ("6.1.0-13-amd64") in that order.

/** dpkg's weight of one character: '~' sorts before the end of the string, letters before other symbols. */
function weight(ch: string | undefined): number {
  if (ch === undefined) return 0;
  if (ch === "~") return -1;
  if (/[A-Za-z]/.test(ch)) return ch.charCodeAt(0);
  if (/[0-9]/.test(ch)) return 0;
  return ch.charCodeAt(0) + 256;
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= "0" && ch <= "9";

/** dpkg's verrevcmp: alternate runs of non-digits (by weight) and digits (by numeric value). */
export function compareDebianVersions(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const wa = weight(isDigit(a[i]) ? undefined : a[i]);
      const wb = weight(isDigit(b[j]) ? undefined : b[j]);
      if (wa !== wb) return wa - wb;
      if (i < a.length && !isDigit(a[i])) i++;
      if (j < b.length && !isDigit(b[j])) j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/**
 * Kernel releases spell pre-releases "6.2.0-rc7-amd64" while Debian packages spell them "6.2~rc7";
 * turning "-rc" into "~rc" makes a release candidate older than the release and its revisions.
 */
const asDebianVersion = (release: string): string => release.replace(/-?rc(?=\d)/g, "~rc");

/** Negative when kernel release a is older than b, positive when newer, 0 when equal. */
export function compareKernelVersions(a: string, b: string): number {
  const c = compareDebianVersions(asDebianVersion(a), asDebianVersion(b));
  return Math.sign(c);
}
