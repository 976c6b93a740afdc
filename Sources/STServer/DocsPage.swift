/// The page served at `/docs`: the OpenAPI document (`/api-doc/openapi.json`) rendered as a list of routes, each with
/// its request and response schemas. Self-contained (TEI serves Swagger UI there; we ship no third-party assets).
enum DocsPage {
    static let html = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sbert serve API</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;max-width:1000px;color:#222}
details{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:6px 10px}
summary{cursor:pointer}.method{display:inline-block;width:48px;font-weight:bold;font-family:monospace}
.path{font-family:monospace}pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}
</style></head><body>
<h1>sbert serve API</h1>
<p>OpenAPI document: <a href="/api-doc/openapi.json">/api-doc/openapi.json</a></p>
<div id="routes">Loading…</div>
<script>
const show = (value) => JSON.stringify(value, null, 2);
fetch("/api-doc/openapi.json").then(r => r.json()).then(doc => {
  const root = document.getElementById("routes");
  root.textContent = "";
  for (const path of Object.keys(doc.paths).sort()) {
    for (const [method, operation] of Object.entries(doc.paths[path])) {
      const item = document.createElement("details");
      const head = document.createElement("summary");
      head.innerHTML = `<span class="method">${method.toUpperCase()}</span> <span class="path"></span> — <span class="text"></span>`;
      head.querySelector(".path").textContent = path;
      head.querySelector(".text").textContent = operation.summary || "";
      item.appendChild(head);
      const body = document.createElement("pre");
      body.textContent = show({request: operation.requestBody || null, responses: operation.responses});
      item.appendChild(body);
      root.appendChild(item);
    }
  }
  const schemas = document.createElement("details");
  schemas.innerHTML = "<summary>Schemas</summary>";
  const text = document.createElement("pre");
  text.textContent = show(doc.components.schemas);
  schemas.appendChild(text);
  root.appendChild(schemas);
}).catch(e => { document.getElementById("routes").textContent = "Error: " + e.message; });
</script>
</body></html>
"""#
}
