/* Watch-time heartbeats for training videos. Attaches to any <video> inside an element with
   data-heartbeat-url (whatever player put it there) and reports each continuous stretch played:
   {lesson, session, seq, start, position}. The server credits only real elapsed time, so this
   script needs no cleverness: report honestly, often enough, and on every pause, seek and end.
   Plain ES5 for old phones. */
(function () {
  "use strict";
  var EVERY_MS = 10000;

  function sessionId() {
    var chars = "abcdefghijklmnopqrstuvwxyz0123456789", id = "";
    for (var i = 0; i < 24; i++) { id += chars.charAt(Math.floor(Math.random() * chars.length)); }
    return id;
  }

  function Tracker(root, video) {
    this.root = root;
    this.video = video;
    this.url = root.getAttribute("data-heartbeat-url");
    this.lesson = parseInt(root.getAttribute("data-lesson"), 10);
    this.csrf = root.getAttribute("data-csrf");
    this.status = root.querySelector("[data-heartbeat-status]");
    this.session = sessionId();
    this.seq = 0;
    this.start = null;   // where the current continuous stretch began
    this.last = 0;       // last playhead seen before a seek moved it
    this.timer = null;
    this.resume = parseFloat(root.getAttribute("data-resume")) || 0;
    this.bind();
  }

  Tracker.prototype.send = function (start, position, leaving) {
    var self = this;
    if (leaving && navigator.sendBeacon && window.FormData) {
      // The page is going away: a beacon survives it. Form fields carry the CSRF token.
      var form = new FormData();
      form.append("lesson", this.lesson); form.append("session", this.session); form.append("seq", this.seq++);
      form.append("start", start); form.append("position", position); form.append("csrfmiddlewaretoken", this.csrf);
      navigator.sendBeacon(this.url, form);
      return;
    }
    var body = JSON.stringify({ lesson: this.lesson, session: this.session, seq: this.seq++,
                                start: start, position: position });
    var request = new XMLHttpRequest();
    request.open("POST", this.url);
    request.setRequestHeader("Content-Type", "application/json");
    request.setRequestHeader("X-CSRFToken", this.csrf);
    request.onload = function () {
      if (!self.status) { return; }
      try {
        var data = JSON.parse(request.responseText);
        if (data.error) { self.status.textContent = data.error; return; }
        self.status.textContent = data.detail + (data.met ? "，已达到完成要求" : "") +
          (data.course_complete ? "。课程已全部完成，可在“我的学习”下载证书。" : "");
      } catch (e) { /* keep the old text */ }
    };
    request.send(body);
  };

  // Report the stretch played since the last report and start a new one at `next` (null: paused).
  Tracker.prototype.flush = function (position, next, leaving) {
    if (this.start !== null) { this.send(Math.min(this.start, position), position, leaving); }
    this.start = next;
  };

  Tracker.prototype.bind = function () {
    var self = this, video = this.video;
    video.addEventListener("loadedmetadata", function () {
      if (self.resume > 1 && video.duration && self.resume < video.duration - 2) {
        video.currentTime = self.resume;
        self.resume = 0;
      }
    });
    video.addEventListener("playing", function () {
      if (self.start === null) {
        self.start = video.currentTime;
        self.send(self.start, self.start);  // opens (or continues) the chain; credits nothing
      }
      if (!self.timer) {
        self.timer = window.setInterval(function () {
          var now = video.currentTime;
          self.flush(now, now);
        }, EVERY_MS);
      }
    });
    video.addEventListener("timeupdate", function () { if (!video.seeking) { self.last = video.currentTime; } });
    video.addEventListener("seeking", function () {
      // currentTime is already the target: report up to the last position actually played.
      if (self.start !== null) { self.flush(self.last, video.paused ? null : video.currentTime); }
    });
    function stop(leaving) {
      window.clearInterval(self.timer);
      self.timer = null;
      self.flush(video.currentTime, null, leaving === true);
    }
    video.addEventListener("pause", stop);
    video.addEventListener("ended", stop);
    window.addEventListener("pagehide", function () { if (self.start !== null) { stop(true); } });
  };

  function attach(root) {
    var video = root.querySelector("video");
    if (video) { root.ykTracker = new Tracker(root, video); return; }
    // The player may insert its <video> later.
    var observer = new MutationObserver(function () {
      var found = root.querySelector("video");
      if (found) { observer.disconnect(); root.ykTracker = new Tracker(root, found); }
    });
    observer.observe(root, { childList: true, subtree: true });
  }

  var roots = document.querySelectorAll("[data-heartbeat-url]");
  for (var i = 0; i < roots.length; i++) { attach(roots[i]); }
})();
