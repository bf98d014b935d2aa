// The project checkout's root directory, found from this module's own location, so it works both
// from src/ (vitest) and from dist/ (node dist/...).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { V2vError } from "../model/errors.js";

/** The nearest parent of this module that holds package.json. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new V2vError("COMMAND", `no package.json above ${fileURLToPath(import.meta.url)}; run the harness from the project checkout`);
    dir = up;
  }
  return dir;
}
