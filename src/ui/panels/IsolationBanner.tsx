/** Says plainly when the page is not cross-origin isolated, and what still works. */
export function IsolationBanner() {
  if (globalThis.crossOriginIsolated === true) return null;
  return (
    <div className="banner banner-warn" role="status" data-testid="isolation-banner">
      <strong>Running without cross-origin isolation.</strong> This page was served without the COOP/COEP headers, so the browser
      withholds SharedArrayBuffer. The engine still runs in its worker and every number is the same, but metrics arrive in batches
      copied between threads instead of through a shared ring: the charts update a little later and cost more main-thread time.
    </div>
  );
}
