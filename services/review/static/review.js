// Live cue for open queue and case pages: a banner, a short tone and the page title when a new
// urgent case arrives or an escalation is addressed to everyone on shift. Without JavaScript the
// pages still work; they just need a reload.
(function () {
  "use strict";
  if (!window.EventSource) { return; }
  var banner = document.getElementById("live");
  var list = document.getElementById("live-list");
  var rows = document.getElementById("queue-rows");
  var baseTitle = document.title;
  var unseen = 0;

  var audio = null;
  function tone() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      audio = audio || new Ctx();  // one context for the page, reused for every cue
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.35);
    } catch (e) { /* sound is a cue, not a requirement */ }
  }

  function announce(data) {
    var known = list && list.querySelector('a[data-case="' + data.case_id + '"]');
    if (!known) {
      unseen += 1;
      document.title = "(" + unseen + ") urgent - " + baseTitle;
    }
    if (banner && list && !known) {
      var a = document.createElement("a");
      a.href = "/cases/" + encodeURIComponent(data.case_id);
      a.textContent = data.reference_number;
      a.className = "live-case";
      a.setAttribute("data-case", data.case_id);
      list.appendChild(a);
      list.appendChild(document.createTextNode(" "));
      banner.hidden = false;
    }
    if (rows && !rows.querySelector('tr[data-case="' + data.case_id + '"]')) {
      var tr = document.createElement("tr");
      tr.className = "u1 live-row";
      tr.setAttribute("data-case", data.case_id);
      var td = document.createElement("td");
      td.colSpan = 7;
      var link = document.createElement("a");
      link.href = "/cases/" + encodeURIComponent(data.case_id);
      link.textContent = data.reference_number + " (new " + data.urgency.replace(/_/g, " ") + ")";
      td.appendChild(link);
      tr.appendChild(td);
      Array.prototype.forEach.call(rows.querySelectorAll("tr:not([data-case])"), function (empty) { empty.remove(); });  // "Nothing in the queue matches." no longer holds
      rows.insertBefore(tr, rows.firstChild);
    }
    tone();
  }

  var source = new EventSource("/events");
  source.addEventListener("case", function (event) {
    var data = JSON.parse(event.data);
    if (data.announce) {  // the service decides what calls for attention
      announce(data);
    }
  });
  source.addEventListener("escalation", function (event) { announce(JSON.parse(event.data)); });
  window.addEventListener("focus", function () { unseen = 0; document.title = baseTitle; });
})();
