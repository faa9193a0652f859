// Getting files in and out in both shells: the desktop uses native dialogs through the
// bound methods, the browser uploads through POST /upload and downloads with GET /download.
import { downloadURL, isDesktop } from "../../api";

/** saveOrDownload hands a file the app wrote in its data dir to the user. */
export async function saveOrDownload(path: string, saveAs: () => Promise<string>): Promise<string | null> {
  if (isDesktop()) {
    const dst = await saveAs();
    return dst || null;
  }
  const a = document.createElement("a");
  a.href = downloadURL(path);
  a.download = path.split(/[\\/]/).pop() ?? "download";
  document.body.appendChild(a);
  a.click();
  a.remove();
  return path;
}

export const delimiterNames: Record<string, string> = {
  ",": "comma",
  ";": "semicolon",
  "\t": "tab",
  "|": "pipe",
};
