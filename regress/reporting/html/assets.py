"""The report's inline stylesheet and script (no network: nothing is fetched from anywhere).

The script only filters rows (failed only, requirement, suite, text) and expands or collapses
every test's evidence; the page reads the same without it.
"""

from __future__ import annotations

CSS = """
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;
--flaky:#8250df;--info:#0969da}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328}
header,main{padding:0 24px}
header{background:var(--bg);border-bottom:1px solid var(--line);padding-bottom:8px}
h1{font-size:22px;margin:0;padding-top:16px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:20px 0 6px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--bg);border:1px solid var(--line);padding:8px;overflow:auto;max-height:24em;
margin:4px 0}
table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--bg)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:10px 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.verdict{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.s-pass,.s-satisfied,.s-passed{color:var(--ok)}
.s-fail,.s-failed,.s-not-satisfied,.s-error,.s-errored,.s-timeout,.s-timed-out,.s-missing,
.s-unexpected,.s-blocked{color:var(--bad)}
.s-flaky{color:var(--flaky)}
.s-not-verified,.s-skipped,.s-not-run,.s-xfailed,.s-xpassed,.s-interrupted,.s-absent,
.s-pending{color:var(--warn)}
.verdict.s-pass{background:var(--ok);color:#fff}.verdict.s-fail{background:var(--bad);color:#fff}
.verdict.s-interrupted,.verdict.s-pending{background:var(--warn);color:#fff}
td.s-satisfied,td.s-not-satisfied,td.s-not-verified,td.s-flaky{font-weight:600}
.muted{color:var(--muted)}
#filters{display:flex;gap:14px;flex-wrap:wrap;align-items:center;padding:8px 0}
#filters[hidden]{display:none}
tr.test td:first-child{word-break:break-all}
tr.detail>td{max-width:1px}
table.tests{width:100%}
.message,.failures code{overflow-wrap:anywhere}
tr.hidden,section.hidden{display:none}
details{margin:2px 0}
summary{cursor:pointer}
summary:focus-visible,a:focus-visible,button:focus-visible,input:focus-visible,
select:focus-visible{outline:2px solid var(--info);outline-offset:2px}
img.thumb{max-width:320px;max-height:200px;border:1px solid var(--line);display:block;margin:4px 0}
.timeline{border:1px solid var(--line);background:#fff;max-width:100%;height:auto}
.timeline text{font-size:11px;fill:#1f2328}
.timeline .axis{stroke:#8c959f;stroke-width:1}
.timeline .spawn{fill:#d4a72c}.timeline .alive{fill:#dde3ea}.timeline .teardown{fill:#8c959f}
.timeline .test.passed{fill:var(--ok)}.timeline .test{fill:var(--bad)}
.timeline .test.skipped,.timeline .test.xfailed{fill:#d4a72c}
.timeline .suite{fill:#afb8c1}
.spark path.passed{fill:var(--ok)}.spark path.failed{fill:var(--bad)}.spark path.none{fill:#d1d9e0}
.legend span{margin-right:14px}
.legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
.divergent td.a{background:#fff0ee}.divergent td.b{background:#eef6ff}
footer{padding:24px;color:var(--muted)}
"""

JS = """
(function(){
  var form=document.getElementById('filters');
  if(!form){return;}
  form.hidden=false;
  var failed=document.getElementById('f-failed'),req=document.getElementById('f-req'),
      suite=document.getElementById('f-suite'),text=document.getElementById('f-text'),
      count=document.getElementById('f-count');
  function apply(){
    var q=text.value.trim().toLowerCase(),shown=0;
    document.querySelectorAll('tr.test').forEach(function(row){
      var ok=(!failed.checked||row.dataset.failed==='1')
        &&(!req.value||row.dataset.req===req.value)
        &&(!suite.value||row.dataset.suite===suite.value)
        &&(!q||row.querySelector('a.name').textContent.toLowerCase().indexOf(q)>=0);
      row.classList.toggle('hidden',!ok);
      var detail=document.getElementById(row.dataset.detail);
      if(detail){detail.classList.toggle('hidden',!ok);}
      if(ok){shown++;}
    });
    document.querySelectorAll('section.suite').forEach(function(sec){
      var any=sec.querySelector('tr.test:not(.hidden)');
      sec.classList.toggle('hidden',!any);
    });
    count.textContent=shown+' test'+(shown===1?'':'s')+' shown';
  }
  [failed,req,suite].forEach(function(el){el.addEventListener('change',apply);});
  text.addEventListener('input',apply);
  document.getElementById('f-expand').addEventListener('click',function(){
    document.querySelectorAll('details.evidence').forEach(function(d){d.open=true;});
  });
  document.getElementById('f-collapse').addEventListener('click',function(){
    document.querySelectorAll('details.evidence').forEach(function(d){d.open=false;});
  });
  apply();
})();
"""
