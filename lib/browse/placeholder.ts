// What stands in for a picture that cannot be read: a calm grey tile that says why, so a broken file
// never breaks a grid or a page.

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function wrap(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    // very long words (paths, URLs) are cut so they cannot run off the tile
    for (let w = word; w.length > 0; w = w.slice(width)) {
      const piece = w.slice(0, width);
      if (line && line.length + 1 + piece.length > width) {
        lines.push(line);
        line = piece;
      } else {
        line = line ? `${line} ${piece}` : piece;
      }
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    lines[maxLines - 1] = `${lines[maxLines - 1].slice(0, width - 1)}…`;
  }
  return lines;
}

export function unreadablePlaceholderSvg(reason: string): string {
  const lines = wrap(reason, 34, 6);
  const text = lines
    .map(
      (l, i) =>
        `<text x="192" y="${206 + i * 20}" text-anchor="middle" font-size="14" fill="#57534e">${escapeXml(l)}</text>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="384" height="384" viewBox="0 0 384 384" font-family="system-ui, sans-serif">
<rect width="384" height="384" fill="#f5f5f4"/>
<rect x="162" y="110" width="60" height="46" rx="6" fill="none" stroke="#a8a29e" stroke-width="3"/>
<path d="M168 150 l16 -18 12 12 8 -8 12 14" fill="none" stroke="#a8a29e" stroke-width="3"/>
<line x1="156" y1="162" x2="228" y2="104" stroke="#b91c1c" stroke-width="3"/>
<text x="192" y="184" text-anchor="middle" font-size="16" font-weight="600" fill="#292524">Unreadable image</text>
${text}
</svg>`;
}
