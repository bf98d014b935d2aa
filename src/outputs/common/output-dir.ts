// What -o local, -o qemu and -o json share: -os DIR checks, planning every name a run may write
// (refused when any exists), and metadata written under a temporary name and linked into place.
import { constants } from "node:fs";
import { access, chmod, lstat, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { V2vError, badOption } from "../../model/errors.js";
import { quoteForMessage } from "../../model/untrusted.js";
import { createExclusive, outputFileError, partialName, publishFile } from "./output-files.js";
import type { TargetPlan } from "../../model/contracts.js";
import type { OutputSpec } from "../../model/modes.js";
import type { OutputOptions, Source } from "../../model/types.js";
import { targetDiskFileName } from "../../target/disk-names.js";
import type { OvmfFiles } from "./ovmf.js";
import { findOvmf, ovmfCandidates } from "./ovmf.js";

/** What these helpers need of an output mode's spec: its name and its metadata suffix. */
export type DirOutputSpec = Pick<OutputSpec, "name" | "metadataSuffixes">;

/** The metadata file an output writes next to the disks: NAME.xml, NAME.sh, NAME.json … (its first suffix). */
export const metadataFileName = (spec: DirOutputSpec, name: string): string => `${name}${spec.metadataSuffixes[0] ?? ""}`;

/** Problems with the output options, one sentence each (empty when the options are fine). Pure. */
export function findOptionProblems(spec: DirOutputSpec, opts: OutputOptions): string[] {
  const problems: string[] = [];
  const o = `-o ${spec.name}`;
  if (opts.storage === undefined || opts.storage === "") {
    problems.push(`${o}: -os DIR is required: the directory for the disks and ${metadataFileName(spec, "NAME")}`);
  }
  if (opts.format !== "raw" && opts.format !== "qcow2") {
    problems.push(`${o}: -of ${String(opts.format)} is not supported; use -of raw or -of qcow2`);
  }
  if (opts.allocation !== "sparse" && opts.allocation !== "preallocated") {
    problems.push(`${o}: -oa ${String(opts.allocation)} is not supported; use -oa sparse or -oa preallocated`);
  }
  if (opts.compressed && opts.format !== "qcow2") {
    problems.push(`${o}: --compressed needs -of qcow2 (only qcow2 has compressed clusters)`);
  }
  if (opts.compressed && opts.allocation === "preallocated") {
    problems.push(`${o}: --compressed cannot be combined with -oa preallocated; drop one of them`);
  }
  return problems;
}

/** Check -os (exists, is a directory, is writable) and the other options; throws BAD_OPTION. */
export async function validateDirOutput(spec: DirOutputSpec, opts: OutputOptions): Promise<void> {
  const problems = findOptionProblems(spec, opts);
  if (opts.storage && /[\x00-\x1f\x7f]/.test(opts.storage)) {
    // The directory's path goes into the metadata (XML, a shell script): no control characters.
    problems.push(`-o ${spec.name}: -os ${quoteForMessage(opts.storage)} has control characters; choose a directory whose path has none`);
  } else if (opts.storage) {
    const dir = opts.storage;
    const st = await stat(dir).catch(() => undefined);
    if (!st) problems.push(`-o ${spec.name}: -os ${dir}: no such directory; create it or choose another -os`);
    else if (!st.isDirectory()) problems.push(`-o ${spec.name}: -os ${dir} is not a directory; choose a directory with -os`);
    else if (!(await access(dir, constants.W_OK | constants.X_OK).then(() => true, () => false))) {
      problems.push(`-o ${spec.name}: -os ${dir} is not writable; choose another -os or fix its permissions`);
    }
  }
  // One line: the problems joined, each naming its option and fix.
  if (problems.length > 0) throw badOption(problems.join("; "));
}

/** A guest name becomes file names: refuse what would escape -os or break the metadata. */
export function checkTargetName(name: string): void {
  if (name === "" || name === "." || name === ".." || name.includes("/") || /[\x00-\x1f\x7f]/.test(name)) {
    throw badOption(`the guest name ${JSON.stringify(name)} cannot be used in file names (no "/", no control characters); choose another with -on`);
  }
}

const pathExists = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);

/** The temporary name a metadata file is written under before it is linked into place. */
export const metadataTempName = (path: string): string => join(dirname(path), `.${basename(path)}.tmp`);

/**
 * Pure: every file name (relative to -os) a run may create: each disk and its `.part`, the
 * metadata file and its temporary name, and the output's own extra files (UEFI vars, boot log).
 * The lock (.v2v.lock) is not here: it is checked, and cleared when stale, by output-lock.ts.
 */
export function plannedFileNames(
  spec: DirOutputSpec, name: string, diskIndexes: readonly number[], extraFiles: readonly string[] = [],
): string[] {
  const disks = diskIndexes.map((i) => targetDiskFileName(name, i));
  const meta = metadataFileName(spec, name);
  return [...disks.flatMap((d) => [d, partialName(d)]), meta, basename(metadataTempName(meta)), ...extraFiles];
}

/**
 * DIR/NAME-sdX for every source disk, after checking that nothing exists at any name the run
 * may write (a dangling symlink counts as existing). Throws OUTPUT naming the first clash.
 */
export async function planDirOutput(
  spec: DirOutputSpec, name: string, source: Source, opts: OutputOptions, extraFiles: readonly string[] = [],
): Promise<TargetPlan> {
  checkTargetName(name);
  if (!opts.storage) throw badOption(`-o ${spec.name}: -os DIR is required: the directory for the disks and ${metadataFileName(spec, "NAME")}`);
  const dir = resolve(opts.storage);
  const diskPaths = source.disks.map((d) => join(dir, targetDiskFileName(name, d.index)));
  for (const f of plannedFileNames(spec, name, source.disks.map((d) => d.index), extraFiles)) {
    const path = join(dir, f);
    if (await pathExists(path)) {
      throw new V2vError("OUTPUT", `-o ${spec.name}: ${path} exists; remove it or choose another -os / -on`);
    }
  }
  return { diskPaths };
}

/**
 * Write a file under a temporary name in the same directory (created with O_EXCL), then link it
 * to its name, which fails rather than replace a file that appeared meanwhile.
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const tmp = metadataTempName(path);
  await createExclusive(tmp, content, mode);
  try {
    await chmod(tmp, mode); // writeFile's mode is filtered by the umask
    await publishFile(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw outputFileError(path, e);
  }
}

/**
 * OVMF for a UEFI guest, the Secure Boot build when `secureBoot`; throws OUTPUT naming the files
 * looked for and the package to install.
 */
export async function requireOvmf(mode: string, secureBoot = false): Promise<OvmfFiles> {
  const candidates = ovmfCandidates(secureBoot);
  const found = await findOvmf(candidates);
  if (found) return found;
  const looked = candidates.map((c) => `${c.code} + ${basename(c.vars)}`).join(", ");
  const what = secureBoot ? "UEFI with Secure Boot (its source had it)" : "UEFI";
  throw new V2vError("OUTPUT", `-o ${mode}: this guest needs ${what}, but no ${secureBoot ? "Secure Boot " : ""}OVMF firmware was found on this host (looked for ${looked}); install the ovmf package`);
}
