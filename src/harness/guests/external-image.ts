// The effects around a user's image (an ExternalRecipe): before anything reads it, the file must
// exist and have the sha256 the recipe states; a disk image must be one self-contained file (the
// hash covers one file). For the negative control, the unconverted disks are found: the image
// itself, or each disk inside the OVA, booted in place. The image is never written nor copied.
import { realpath, stat } from "node:fs/promises";
import { V2vError } from "../../model/errors.js";
import type { ImageFormat } from "../../model/types.js";
import { checkImage } from "../../inputs/image/check-image.js";
import { noReferences } from "../../inputs/image/resolvers.js";
import { indexTar, roundUp512 } from "../../inputs/tar-index.js";
import { sha256File } from "../checks/converted.js";
import type { ExternalRecipe } from "./external.js";

export interface VerifiedImage {
  /** The file, symlinks resolved. */
  readonly path: string;
  readonly sha256: string;
}

/** A disk of the unconverted source as qemu boots it (the bus is the caller's). */
export interface UnconvertedDisk {
  readonly path: string;
  readonly format: ImageFormat;
  /** Where the disk's bytes are inside the file (an OVA member); absent: the whole file. */
  readonly window?: { readonly offsetBytes: number; readonly sizeBytes: number };
}

const SELF_CONTAINED = "an external image must be one file, since its sha256 covers only that file; flatten it first (qemu-img convert)";

/** OVA members the negative control boots in place; compressed ones (.gz) cannot be. */
const DISK_MEMBER = /\.(vmdk|qcow2|img|raw)$/i;

const refuse = (r: ExternalRecipe, what: string): V2vError => new V2vError("BAD_INPUT", `external guest "${r.name}": ${what}`);

/**
 * The image is the one the recipe names: a regular file with the stated sha256, and, for a disk
 * image, of the stated format and without backing files or extents. Throws one line naming the
 * file and the fix. `hash` is replaceable for tests.
 */
export async function verifyExternalImage(r: ExternalRecipe, hash: (path: string) => Promise<string> = sha256File): Promise<VerifiedImage> {
  const st = await stat(r.path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") throw refuse(r, `${r.path} does not exist; fix "path:" in the matrix file, or put the image there`);
    throw refuse(r, `${r.path} cannot be read (${e.code ?? e.message}); fix "path:" or the file's permissions`);
  });
  if (!st.isFile()) throw refuse(r, `${r.path} is not a regular file; point "path:" at the image file itself`);
  const path = await realpath(r.path);
  const sha256 = (await hash(path)).toLowerCase();
  if (sha256 !== r.sha256) {
    throw refuse(r, `${r.path} has sha256 ${sha256}, not ${r.sha256} as the recipe says: it is not the image the recipe names (changed, truncated or another file); fix "path:", or, if you trust this file, set "sha256:" to the output of sha256sum`);
  }
  if (r.format !== undefined) {
    await checkImage({ kind: "file", path, label: r.path }, noReferences(SELF_CONTAINED), r.format).catch((e: unknown) => {
      throw refuse(r, e instanceof Error ? e.message : String(e));
    });
  }
  return { path, sha256 };
}

/**
 * The unconverted source's disks, for the negative control: the disk image itself, or every
 * uncompressed disk member of the OVA in tar order (a window of the file; nothing is extracted).
 */
export async function unconvertedDisks(r: ExternalRecipe): Promise<UnconvertedDisk[]> {
  const path = await realpath(r.path);
  if (r.format !== undefined) return [{ path, format: r.format }];
  const members = (await indexTar(path)).filter((m) => m.type === "file" && DISK_MEMBER.test(m.name));
  if (members.length === 0) throw refuse(r, `${r.path} holds no uncompressed disk member (.vmdk, .qcow2, .img, .raw) to boot unconverted`);
  const disks: UnconvertedDisk[] = [];
  for (const m of members) {
    const place = { kind: "member", tarPath: path, name: m.name, offsetBytes: m.dataOffset, sizeBytes: m.sizeBytes, label: `${r.path}:${m.name}` } as const;
    const checked = await checkImage(place, noReferences(SELF_CONTAINED));
    disks.push({ path, format: checked.format, window: { offsetBytes: m.dataOffset, sizeBytes: roundUp512(m.sizeBytes) } });
  }
  return disks;
}
