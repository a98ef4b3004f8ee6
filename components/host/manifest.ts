import * as fs from "fs";
import * as path from "path";

/** A file's size and mtime: changes when the file is replaced, without reading it. */
export function fileStamp(file: string): string {
  const stat = fs.statSync(file);
  return `${path.basename(file)} ${stat.size} ${Math.floor(stat.mtimeMs)}`;
}
