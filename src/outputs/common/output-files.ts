// How a run creates files in -os: recorded in the directory's lock first, created with O_EXCL
// (which also refuses a symlink, dangling or not), and given their final name with link(), which
// fails when the name exists, where rename() would silently replace it.
import { link, open, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { V2vError } from "../../model/errors.js";
import { forgetCreating, noteCreating } from "./output-lock.js";

/** The name a target disk is written under until every disk is complete. */
export const partialName = (path: string): string => `${path}.part`;

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/** A V2vError for a failed write in -os: NO_SPACE for ENOSPC, else OUTPUT; one line with the fix. */
export function outputFileError(path: string, e: unknown): V2vError {
  if (e instanceof V2vError) return e;
  const dir = dirname(path);
  switch (errno(e)) {
    case "EEXIST":
      return new V2vError("OUTPUT", `${path} appeared while v2v was writing -os ${dir}; another program writes there: remove it or choose another -os`, { cause: e });
    case "ENOSPC":
    case "EDQUOT":
      return new V2vError("NO_SPACE", `no space left in -os ${dir} while writing ${path}; free space there or choose another -os`, { cause: e });
    default:
      return new V2vError("OUTPUT", `could not write ${path}: ${(e as Error).message}; check the -os directory ${dir}`, { cause: e });
  }
}

/** Create `path` (it must not exist, not even as a symlink) holding `content`. */
export async function createExclusive(path: string, content: string | Uint8Array = "", mode = 0o644): Promise<void> {
  await noteCreating(path);
  const fh = await open(path, "wx", mode).catch(async (e: unknown) => {
    if (errno(e) === "EEXIST") await forgetCreating(path);
    throw outputFileError(path, e);
  });
  try {
    await fh.writeFile(content);
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(path).catch(() => undefined); // ours, half written (ENOSPC)
    throw outputFileError(path, e);
  }
}

/** Give a finished temporary file its final name, refusing to replace anything there. */
export async function publishFile(tmp: string, final: string): Promise<void> {
  await noteCreating(final);
  try {
    await link(tmp, final);
  } catch (e) {
    if (errno(e) === "EEXIST") await forgetCreating(final);
    throw outputFileError(final, e);
  }
  await unlink(tmp).catch((e: unknown) => {
    throw outputFileError(tmp, e);
  });
}
