// A QR code drawn in the page as SVG (qrcode-generator, vendored; nothing is sent to any
// service): for the otpauth:// link of two-factor set-up, so a phone's authenticator app
// can scan it from the screen.

import { qrcode } from "./vendor/qrcode-generator-2.0.4.mjs";

const NS = "http://www.w3.org/2000/svg";

/** An <svg role="img"> of `text` as a QR code (error correction M), named by `label`. */
export function qrSvg(text, label, { cell = 4, margin = 4 } = {}) {
  const code = qrcode(0, "M");
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const size = count + margin * 2;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("width", String(size * cell));
  svg.setAttribute("height", String(size * cell));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("class", "qr");
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(NS, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  svg.append(background);
  let d = "";
  for (let r = 0; r < count; r += 1) for (let c = 0; c < count; c += 1) if (code.isDark(r, c)) d += `M${c + margin} ${r + margin}h1v1h-1z`;
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(path);
  return svg;
}
