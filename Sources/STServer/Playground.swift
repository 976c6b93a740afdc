/// The page served at `/`: type sentences, see their similarity matrix as a heatmap and a query ranked against them
/// (reranked when a cross-encoder is loaded). Self-contained (no external assets); it only calls the public routes.
/// URL parameters pre-fill it: `?sentences=a|b|c&query=q&run=1`.
enum Playground {
    static let html = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sbert playground</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;max-width:960px;color:#222}
textarea,input{width:100%;box-sizing:border-box;font:inherit;padding:6px}
textarea{height:140px}button{font:inherit;padding:6px 16px;margin:8px 0}
table{border-collapse:collapse;margin-top:12px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:center;font-size:13px}
th.row{text-align:left;max-width:240px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
#ranking li{margin:4px 0}.score{font-family:monospace;color:#555}#error{color:#b00}
</style></head><body>
<h1>sbert playground</h1>
<label>Sentences (one per line)<textarea id="sentences">A man is eating food.
A man is eating a piece of bread.
The girl is carrying a baby.
A man is riding a horse.</textarea></label>
<label>Query<input id="query" value="Someone is having a meal."></label>
<label>API key (if the server needs one)<input id="key" type="password"></label>
<button id="run">Compare</button>
<div id="error"></div>
<h2>Similarity</h2><div id="heatmap"></div>
<h2>Ranking</h2><ol id="ranking"></ol>
<script>
const $ = (id) => document.getElementById(id);
async function call(route, body) {
  const headers = {"Content-Type": "application/json"};
  if ($("key").value) headers["Authorization"] = "Bearer " + $("key").value;
  const response = await fetch(route, {method: "POST", headers, body: JSON.stringify(body)});
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.status);
  return data;
}
function color(score) {
  const t = Math.max(0, Math.min(1, (score + 1) / 2));
  return `rgb(${Math.round(255 - 200 * t)},${Math.round(255 - 120 * t)},255)`;
}
function escapeText(text) { const d = document.createElement("div"); d.textContent = text; return d.innerHTML; }
async function run() {
  $("error").textContent = "";
  const sentences = $("sentences").value.split("\n").map(s => s.trim()).filter(s => s);
  const query = $("query").value.trim();
  try {
    const vectors = await call("/embed", {inputs: sentences, normalize: true});
    let html = "<table id='matrix'><tr><th></th>" + sentences.map((_, i) => `<th>${i}</th>`).join("") + "</tr>";
    vectors.forEach((a, i) => {
      html += `<tr><th class='row' title='${escapeText(sentences[i])}'>${i}. ${escapeText(sentences[i])}</th>`;
      vectors.forEach(b => {
        const score = a.reduce((sum, x, k) => sum + x * b[k], 0);
        html += `<td class='cell' data-score='${score.toFixed(4)}' style='background:${color(score)}'>${score.toFixed(2)}</td>`;
      });
      html += "</tr>";
    });
    $("heatmap").innerHTML = html + "</table>";
    if (!query) { $("ranking").innerHTML = ""; return; }
    let ranked;
    try {
      ranked = (await call("/rerank", {query, texts: sentences})).map(r => ({index: r.index, score: r.score, by: "reranker"}));
    } catch (e) {
      const scores = await call("/similarity", {inputs: {source_sentence: query, sentences}});
      ranked = scores.map((score, index) => ({index, score, by: "cosine"})).sort((a, b) => b.score - a.score);
    }
    $("ranking").innerHTML = ranked.map(r => `<li class='ranked' data-index='${r.index}'>${escapeText(sentences[r.index])} <span class='score'>${r.score.toFixed(4)} (${r.by})</span></li>`).join("");
  } catch (e) { $("error").textContent = "Error: " + e.message; }
}
$("run").addEventListener("click", run);
const params = new URLSearchParams(location.search);
if (params.get("sentences")) $("sentences").value = params.get("sentences").split("|").join("\n");
if (params.get("query")) $("query").value = params.get("query");
if (params.get("run")) run();
</script></body></html>
"""#
}
