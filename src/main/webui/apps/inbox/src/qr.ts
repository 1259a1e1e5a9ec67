// The QR code of a number's deep link, drawn in the page (no image from a third party).
import qrcode from 'qrcode-generator';

/** The modules of the code as one SVG path (1 unit a module, with a 4-module quiet zone). */
export function qrPath(text: string): { size: number; d: string } {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
    }
  }
  return { size: n + 8, d };
}
