// Pure: what kind of disk image a file holds, decided from its first bytes by us, so that qemu and
// qemu-img are always told the format and never probe an untrusted file themselves.

/** What the first bytes say. `raw` is the answer for anything that is not a recognised container. */
export type DetectedFormat =
  | { readonly kind: "qcow2" }
  | { readonly kind: "vmdk-sparse" }
  | { readonly kind: "vmdk-descriptor" }
  | { readonly kind: "raw" }
  | { readonly kind: "unsupported"; readonly name: string };

/** How many bytes detectFormat wants to see (fewer is fine for a short file). */
export const DETECT_BYTES = 4096;

const startsWith = (head: Uint8Array, text: string, at = 0): boolean =>
  head.length >= at + text.length && Buffer.from(head.subarray(at, at + text.length)).toString("latin1") === text;

/** A VMDK text descriptor starts with its comment line, or with the `version=` key after comments. */
function looksLikeDescriptor(head: Uint8Array): boolean {
  if (startsWith(head, "# Disk DescriptorFile")) return true;
  const text = Buffer.from(head.subarray(0, Math.min(head.length, 1024))).toString("latin1").replace(/\0+$/, "");
  if (/[\x00]/.test(text)) return false;
  const firstKey = text.split("\n").map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("#"));
  return firstKey !== undefined && /^version\s*=\s*\d+$/.test(firstKey) && /createType\s*=/.test(text);
}

/** The format of an image from its first bytes (at least 512 of them unless the file is shorter). */
export function detectFormat(head: Uint8Array): DetectedFormat {
  if (startsWith(head, "QFI\xfb")) {
    const version = head.length >= 8 ? Buffer.from(head).readUInt32BE(4) : 0;
    return version === 2 || version === 3 ? { kind: "qcow2" } : { kind: "unsupported", name: `qcow version ${version}` };
  }
  if (startsWith(head, "KDMV")) return { kind: "vmdk-sparse" };
  if (startsWith(head, "COWD")) return { kind: "unsupported", name: "VMware ESX 2 sparse VMDK (COWD)" };
  if (looksLikeDescriptor(head)) return { kind: "vmdk-descriptor" };
  if (startsWith(head, "QED\0")) return { kind: "unsupported", name: "qed" };
  if (startsWith(head, "conectix")) return { kind: "unsupported", name: "vpc (VHD)" };
  if (startsWith(head, "vhdxfile")) return { kind: "unsupported", name: "vhdx" };
  if (head.length >= 0x44 && Buffer.from(head).readUInt32LE(0x40) === 0xbeda107f) return { kind: "unsupported", name: "vdi" };
  return { kind: "raw" };
}
