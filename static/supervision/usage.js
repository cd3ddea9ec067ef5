/* Lesson usage for the district's supervision (supervision.plays): how many seconds each player
   on the page has really played, from the <video> element's own events, reported to the URL on
   this script's tag. The server credits no more than the real time since the first report and
   counts a play once it reaches 10 s. Needs nothing from the player script; plain ES5. */
(function () {
  "use strict";
  var EVERY_MS = 5000;
  var MAX_STEP = 2; // a jump of the playhead larger than this between timeupdates is a seek, not play
  var script = document.currentScript;
  if (!script) { return; }
  var url = script.getAttribute("data-usage-url");
  var lesson = script.getAttribute("data-lesson");
  var csrf = script.getAttribute("data-csrf");

  function sessionId() {
    var chars = "abcdefghijklmnopqrstuvwxyz0123456789", id = "";
    for (var i = 0; i < 24; i++) { id += chars.charAt(Math.floor(Math.random() * chars.length)); }
    return id;
  }

  function post(body) {
    var form = new FormData();
    for (var name in body) { if (Object.prototype.hasOwnProperty.call(body, name)) { form.append(name, body[name]); } }
    var request = new XMLHttpRequest();
    request.open("POST", url, true);
    request.setRequestHeader("X-CSRFToken", csrf);
    request.send(form);
  }

  function track(video) {
    var session = sessionId(), seq = 0, played = 0, last = null, timer = null, counted = false;
    function send() {
      if (counted) { return; }
      seq += 1;
      post({ lesson: lesson, session: session, seq: seq, played: played.toFixed(2) });
      if (played >= 12) { counted = true; } // the server has had enough to decide
    }
    video.addEventListener("playing", function () {
      last = video.currentTime;
      if (seq === 0) { send(); }
      if (!timer) { timer = window.setInterval(send, EVERY_MS); }
    });
    video.addEventListener("timeupdate", function () {
      if (video.paused || last === null) { return; }
      var step = video.currentTime - last;
      if (step > 0 && step <= MAX_STEP) { played += step; }
      last = video.currentTime;
    });
    function stop() {
      if (timer) { window.clearInterval(timer); timer = null; send(); }
      last = null;
    }
    video.addEventListener("pause", stop);
    video.addEventListener("ended", stop);
  }

  function init() {
    if (!url || !lesson) { return; }
    var videos = document.querySelectorAll("figure.yk-player video");
    for (var i = 0; i < videos.length; i++) { track(videos[i]); }
    var downloads = document.querySelectorAll("figure.yk-player a.yk-download");
    for (var j = 0; j < downloads.length; j++) {
      downloads[j].addEventListener("click", function () { post({ lesson: lesson, kind: "video_download" }); });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
