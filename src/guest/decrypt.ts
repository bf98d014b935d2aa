// Open the guest's LUKS volumes before inspection, as virt-v2v does with --key and
// --keys-from-stdin: every partition (or whole disk) that libblkid types crypto_LUKS is opened as
// /dev/mapper/crypt<name> with the passphrases given for it, then LVM is scanned again, since
// LVM inside LUKS is the usual encrypted layout. v2v never prompts: a volume without a key stops
// the run with one line saying how to give one. Passphrases are never printed.
import type { GuestHandle } from "../model/guest-handle.js";
import { badOption, V2vError } from "../model/errors.js";
import type { LuksKey } from "../model/types.js";

export interface EncryptedVolume {
  /** Appliance device: /dev/sda2. */
  readonly device: string;
  /** The LUKS header's UUID, when libblkid read one. */
  readonly uuid?: string;
}

/** Where the passphrases come from; the reading itself is the caller's (CLI: files and stdin). */
export interface KeySources {
  readonly keys: readonly LuksKey[];
  readonly keysFromStdin: boolean;
  /** The first line of a --key ...:file:FILE; throws naming the file when it cannot be read. */
  readonly readKeyFile: (file: string) => Promise<string>;
  /** The next line of stdin (--keys-from-stdin), or undefined at its end. */
  readonly nextStdinKey: () => Promise<string | undefined>;
}

/** Pure: the map name virt-v2v gives a volume: "crypt" and the device name's letters and digits (/dev/sda2 -> cryptsda2). */
export function luksMapName(device: string): string {
  return `crypt${device.replace(/^\/dev\//, "").replace(/[^A-Za-z0-9]/g, "")}`;
}

const uuidKey = (s: string): string => s.toLowerCase().replace(/-/g, "");

/** Pure: does a --key selector name this volume, by device or by UUID (case and dashes ignored)? */
const names = (selector: string, volume: EncryptedVolume): boolean =>
  selector === volume.device || (volume.uuid !== undefined && uuidKey(selector) === uuidKey(volume.uuid));

/** Pure: the --key options that name this volume, in command-line order. */
export function keysFor(volume: EncryptedVolume, keys: readonly LuksKey[]): LuksKey[] {
  return keys.filter((k) => names(k.selector, volume));
}

/** Pure: --key selectors that name none of the volumes (a typo, or a volume that is not encrypted). */
export function unusedSelectors(volumes: readonly EncryptedVolume[], keys: readonly LuksKey[]): string[] {
  return [...new Set(keys.map((k) => k.selector))].filter((sel) => !volumes.some((v) => names(sel, v)));
}

/** Pure: how a --key option is named in messages, without its passphrase. */
export function describeKey(k: LuksKey): string {
  return k.kind === "key" ? `--key ${k.selector}:key:…` : `--key ${k.selector}:file:${k.file}`;
}

/** The encrypted volumes of the appliance: partitions, and whole disks without a partition table. */
export async function findEncryptedVolumes(g: GuestHandle): Promise<EncryptedVolume[]> {
  const out: EncryptedVolume[] = [];
  for (const device of [...(await g.listPartitions()), ...(await g.listDevices())]) {
    if ((await g.vfsType(device).catch(() => "")) !== "crypto_LUKS") continue;
    const uuid = (await g.blkid(device).catch((): Record<string, string> => ({})))["UUID"];
    out.push({ device, ...(uuid ? { uuid } : {}) });
  }
  return out;
}

/**
 * Open every encrypted volume, or stop with one line naming the volume and the fix. Returns the
 * devices opened (for -v). `warn` gets one line per --key that names no encrypted volume.
 */
export async function openEncryptedVolumes(g: GuestHandle, src: KeySources, warn: (line: string) => void): Promise<readonly string[]> {
  const volumes = await findEncryptedVolumes(g);
  for (const sel of unusedSelectors(volumes, src.keys)) warn(`--key ${sel}: no LUKS volume has this device name or UUID; it was not used`);
  const opened: string[] = [];
  for (const v of volumes) {
    const name = `${v.device}${v.uuid ? ` (LUKS UUID ${v.uuid})` : ""}`;
    const tried: string[] = [];
    let ok = false;
    for (const k of keysFor(v, src.keys)) {
      const passphrase = k.kind === "key" ? k.passphrase : await src.readKeyFile(k.file);
      tried.push(describeKey(k));
      if (await tryOpen(g, v.device, passphrase)) { ok = true; break; }
    }
    if (!ok && src.keysFromStdin) {
      const line = await src.nextStdinKey();
      if (line !== undefined) {
        tried.push("the next line of stdin");
        ok = await tryOpen(g, v.device, line);
      }
    }
    if (!ok && tried.length === 0) {
      throw new V2vError("BAD_INPUT", `${name} is encrypted with LUKS and no passphrase was given for it: add --key ${v.device}:key:PASSPHRASE, --key ${v.device}:file:FILE or --keys-from-stdin`);
    }
    if (!ok) {
      throw new V2vError("BAD_INPUT", `${name}: the passphrase from ${tried.join(", then ")} does not open it; check the passphrase (a key file's first line is used)`);
    }
    opened.push(v.device);
  }
  if (opened.length > 0) await g.activateVolumeGroups();
  return opened;
}

/** cryptsetup-open with one passphrase; false when it does not open the volume. */
async function tryOpen(g: GuestHandle, device: string, passphrase: string): Promise<boolean> {
  if (/[\n\r\0]/.test(passphrase)) throw badOption(`a passphrase for ${device} holds a newline or a NUL byte, which v2v cannot pass on`);
  try {
    await g.openLuks(device, luksMapName(device), passphrase);
    return true;
  } catch (e) {
    // A wrong passphrase is the usual reason; anything else (no such device) is also "not opened".
    if (e instanceof V2vError && e.code === "INTERRUPTED") throw e;
    return false;
  }
}
