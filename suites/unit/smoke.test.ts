import { expect, test } from "vitest";
import { V2vError } from "../../src/model/errors.js";

test("V2vError keeps its code and cause", () => {
  const cause = new Error("inner");
  const e = new V2vError("BAD_INPUT", "x.ova is not a tar file", { cause });
  expect(e.code).toBe("BAD_INPUT");
  expect(e.cause).toBe(cause);
});
