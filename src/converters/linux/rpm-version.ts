// RPM's version order (rpmvercmp), which the RPM families (RHEL, SUSE, ALT) use for kernel
// releases: "5.14.0-362.8.1.el9_3.x86_64" is newer than "5.14.0-70.13.1.el9_0.x86_64".

/** One run of the string: digits or letters; everything else only separates runs. */
const SEGMENT = /^([0-9]+|[A-Za-z]+)/;
const SEPARATORS = /^[^A-Za-z0-9~^]+/;

function compareSegments(a: string, b: string): number {
  const aNum = /^[0-9]/.test(a);
  const bNum = /^[0-9]/.test(b);
  // A numeric run is newer than an alphabetic one ("1.0" > "1.a").
  if (aNum !== bNum) return aNum ? 1 : -1;
  if (aNum) {
    const x = a.replace(/^0+/, "");
    const y = b.replace(/^0+/, "");
    if (x.length !== y.length) return x.length - y.length; // more digits: larger, without Number overflow
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * rpmvercmp: negative when a is older than b, positive when newer, 0 when equal. "~" sorts before
 * anything (a pre-release), "^" after the end of the other string but before more segments.
 */
export function compareRpmVersions(a: string, b: string): number {
  let x = a;
  let y = b;
  for (;;) {
    x = x.replace(SEPARATORS, "");
    y = y.replace(SEPARATORS, "");
    if (x.startsWith("~") || y.startsWith("~")) {
      if (!x.startsWith("~")) return 1;
      if (!y.startsWith("~")) return -1;
      x = x.slice(1); y = y.slice(1);
      continue;
    }
    if (x.startsWith("^") || y.startsWith("^")) {
      if (x === "") return -1;
      if (y === "") return 1;
      if (!x.startsWith("^")) return 1;
      if (!y.startsWith("^")) return -1;
      x = x.slice(1); y = y.slice(1);
      continue;
    }
    if (x === "" || y === "") break;
    const sa = SEGMENT.exec(x)![1]!;
    const sb = SEGMENT.exec(y)![1]!;
    const c = compareSegments(sa, sb);
    if (c !== 0) return Math.sign(c);
    x = x.slice(sa.length);
    y = y.slice(sb.length);
  }
  if (x === "" && y === "") return 0;
  return x === "" ? -1 : 1;
}
