// Which files an image may make qemu open (a qcow2 backing file, a VMDK extent or parent), per
// input: -i disk follows local regular files; an OVA directory, regular files inside it; an OVA
// tar, its own members. Everything else is refused with one line naming the image, the reference
// and why. No resolver ever returns a device node, a network location or a json: pseudo-file.
import { realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, posix, sep } from "node:path";
import { badInput } from "../../model/errors.js";
import { quoteForMessage } from "../../model/untrusted.js";
import type { TarMember } from "../tar-index.js";
import type { ImagePlace } from "./place.js";

export interface ReferenceResolver {
  /** Where `ref`, which the image at `from` names as its `what` ("backing file", "extent"), is. Throws BAD_INPUT when not allowed. */
  resolve(from: ImagePlace, ref: string, what: string): Promise<ImagePlace>;
}

/** "nbd:", "http://", "json:{...}", "ssh://": a protocol prefix, never followed. */
const PROTOCOL = /^[a-z][a-z0-9+.-]*:/i;

function refuse(from: ImagePlace, what: string, ref: string, why: string, fix: string): never {
  throw badInput(`${from.label}: its ${what} ${quoteForMessage(ref)} ${why}; ${fix}`);
}

function refuseProtocol(from: ImagePlace, what: string, ref: string): void {
  if (PROTOCOL.test(ref)) {
    refuse(from, what, ref, "is a network location or pseudo-file, which is never opened", "only local files can be converted: copy the disk and its chain locally");
  }
}

/** A local regular file (after symlinks) at `path`, or a refusal. */
async function regularFile(from: ImagePlace, what: string, ref: string, path: string): Promise<string> {
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined) refuse(from, what, ref, "does not exist", "copy the whole disk chain together");
  const st = await stat(real);
  if (!st.isFile()) refuse(from, what, ref, `is not a regular file (${real})`, "device nodes, directories and pipes are never opened");
  return real;
}

/** -i disk: references are followed through local regular files anywhere on the host the user can read. */
export const localFileResolver: ReferenceResolver = {
  async resolve(from, ref, what) {
    if (from.kind !== "file") throw new Error("localFileResolver: the image is not a local file");
    refuseProtocol(from, what, ref);
    if (ref === "" || ref.includes("\0")) refuse(from, what, ref, "is not a file name", "the image is corrupt");
    const path = isAbsolute(ref) ? ref : join(dirname(from.path), ref);
    return { kind: "file", path: await regularFile(from, what, ref, path), label: path };
  },
};

/** An unpacked OVA: references must be relative and resolve (through symlinks) to a regular file inside `root`. */
export function directoryResolver(root: string, ovaLabel: string): ReferenceResolver {
  return {
    async resolve(from, ref, what) {
      if (from.kind !== "file") throw new Error("directoryResolver: the image is not a local file");
      refuseProtocol(from, what, ref);
      if (ref === "" || ref.includes("\0") || isAbsolute(ref)) {
        refuse(from, what, ref, "is not a file inside the OVA", "the OVA must hold every file its disks need");
      }
      const realRoot = await realpath(root);
      // Lexically outside: refused without looking, so the answer says nothing about host files.
      const lexical = join(dirname(from.path), ref);
      if (!lexical.startsWith(realRoot + sep)) refuse(from, what, ref, "resolves outside the OVA directory", "copy the file into the OVA directory");
      const real = await regularFile(from, what, ref, lexical);
      if (!real.startsWith(realRoot + sep)) refuse(from, what, ref, "resolves outside the OVA directory", "copy the file into the OVA directory");
      return { kind: "file", path: real, label: `${ovaLabel}:${real.slice(realRoot.length + 1)}` };
    },
  };
}

/** A tar OVA read in place: references must name another regular member of the same tar. */
export function tarResolver(ovaLabel: string, members: ReadonlyMap<string, TarMember>): ReferenceResolver {
  return {
    async resolve(from, ref, what) {
      if (from.kind !== "member") throw new Error("tarResolver: the image is not a tar member");
      refuseProtocol(from, what, ref);
      const rel = ref === "" || ref.includes("\0") || posix.isAbsolute(ref) ? undefined : posix.normalize(posix.join(posix.dirname(from.name), ref));
      const member = rel === undefined || rel === ".." || rel.startsWith("../") ? undefined : members.get(rel);
      if (!member || member.type !== "file" || rel === undefined) {
        refuse(from, what, ref, "is not a member of the OVA", "the OVA must hold every file its disks need");
      }
      return { kind: "member", tarPath: from.tarPath, name: rel, offsetBytes: member.dataOffset, sizeBytes: member.sizeBytes, label: `${ovaLabel}:${rel}` };
    },
  };
}

/** A disk that must stand alone (one we inflated from a compressed OVA member): any reference is refused. */
export function noReferences(why: string): ReferenceResolver {
  return {
    resolve(from, ref, what) {
      return Promise.reject(badInput(`${from.label}: its ${what} ${quoteForMessage(ref)} cannot be followed: ${why}`));
    },
  };
}
