// `-i disk FILE...`: one or more local disk images with no metadata; the rest is invented.
import { parseInputArgs } from "./input-options.js";
import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { badInput } from "../model/errors.js";
import type { InputModule, StageContext } from "../model/contracts.js";
import type { ImageFormat, InputOptions, Source, SourceDisk } from "../model/types.js";
import { openImage } from "./image/open-image.js";
import { localFileResolver } from "./image/resolvers.js";

/** Suffixes stripped from the first file's name to name the guest; the first match wins. */
const NAME_SUFFIXES = [".img", ".ova", ".qcow2", ".raw", ".vmdk", ".vmx", "-sda"] as const;

export const SUPPORTED_FORMATS: readonly ImageFormat[] = ["raw", "qcow2", "vmdk"];

export const isSupportedFormat = (f: string): f is ImageFormat => (SUPPORTED_FORMATS as readonly string[]).includes(f);

/** Guest name from a disk path: "/x/fedora-sda" -> "fedora", "/x/win.qcow2" -> "win". */
export function deriveDiskName(file: string): string {
  const base = basename(file);
  const suffix = NAME_SUFFIXES.find((s) => base.endsWith(s) && base.length > s.length);
  return suffix ? base.slice(0, -suffix.length) : base;
}

/** Throws BAD_INPUT unless `file` is an existing, readable regular file (after symlinks). */
export async function checkReadableFile(file: string, what = file): Promise<void> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(file)) {
    throw badInput(`${what}: network locations and pseudo-files (nbd:, http:, ssh:, json:) are not read by -i disk; copy the image to a local file`);
  }
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw badInput(`${what}: no such file; check the path`, e);
    throw badInput(`${what}: cannot be read (${code ?? String(e)}); check the path and its permissions`, e);
  }
  if (!st.isFile()) throw badInput(`${what}: not a regular file (device nodes, directories and pipes are never read); give the path of a disk image`);
  try {
    await access(file, constants.R_OK);
  } catch (e) {
    throw badInput(`${what}: not readable by this user; check its permissions`, e);
  }
}

export async function readDiskSource(opts: InputOptions, _ctx: StageContext): Promise<Source> {
  if (opts.args.length === 0) throw badInput("-i disk: no disk image given; name one or more image files");
  const disks: SourceDisk[] = [];
  for (const [index, arg] of opts.args.entries()) {
    await checkReadableFile(arg);
    const place = { kind: "file" as const, path: await realpath(resolve(arg)), label: arg };
    // The image's own references (backing files, extents) are followed only through local regular files.
    const { image, virtualSizeBytes } = await openImage(place, localFileResolver, opts.inputFormat);
    disks.push({ index, image, displayName: arg, virtualSizeBytes });
  }
  return {
    name: deriveDiskName(opts.args[0]!),
    hypervisor: "unknown",
    memoryBytes: 2048 * 1024 * 1024,
    vcpus: 1,
    firmware: "unknown",
    disks,
    nics: [{ networkName: "default", vnetType: "network" }],
    removableCount: 0,
  };
}

export const diskInput: InputModule = {
  spec: {
    name: "disk",
    aliases: ["local"],
    usage: "DISK.img [DISK2.img ...]",
    help: "read one or more disk images (local is the same as disk)",
    sourceNoun: "disk image(s)",
    acceptsInputFormat: true,
    keys: [],
  },
  parseOptions: (args) => parseInputArgs(diskInput.spec, args).options,
  readSource: readDiskSource,
};
