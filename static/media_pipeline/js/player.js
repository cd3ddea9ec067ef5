/* The lesson video player: poster first, a picture within seconds on a 256 kbit/s line.

   Our own playlists only (media_pipeline writes them: fMP4, sound muxed into every
   rung, 2 s segments that start on aligned keyframes), so the player is this file:
   about 4 kB compressed where hls.js weighs 100-230 kB and would sit inside the wait
   for the first frame. Media Source Extensions where the browser has them
   (ManagedMediaSource on newer iPhones), native HLS otherwise (older Safari).

   自动 starts on the smallest rung and climbs one rung at a time, only while the
   segments it has fetched prove the link and the buffer is comfortable. 省流量
   caps at the smallest rung (remembered on the device, on by default when the
   browser asks to save data); 仅声音 plays the sound variant alone. Plain ES5. */
(function () {
  "use strict";
  var SAVER_KEY = "yk-data-saver";
  var AHEAD_SECONDS = 30;       // fetch no further ahead than this
  var BACK_SECONDS = 30;        // keep this much behind the play position
  var SAFE_SHARE = 0.7;         // a rung must fit in 70 % of the measured throughput
  var CLIMB_BUFFER = 8;         // seconds buffered before climbing a rung
  var PANIC_BUFFER = 3;         // below this, drop to what the link carries
  var RETRY_MAX_MS = 8000;
  var START_MARGIN = 1.25;      // at the start, buffer 1.25x the next segment's fetch time (+0.5 s)

  function request(url, binary, done) {
    var xhr = new XMLHttpRequest();
    var started = Date.now();
    xhr.open("GET", url);
    if (binary) { xhr.responseType = "arraybuffer"; }
    xhr.onload = function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        var bytes = binary ? xhr.response.byteLength : xhr.responseText.length;
        done(null, binary ? xhr.response : xhr.responseText, bytes, Math.max(1, Date.now() - started));
      } else {
        done(new Error("HTTP " + xhr.status));
      }
    };
    xhr.onerror = function () { done(new Error("network")); };
    xhr.send();
    return xhr;
  }

  function resolve(uri, base) {
    // Playlists name segments by absolute (signed) URLs, and variants relative to the master.
    if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.charAt(0) === "/") { return uri; }
    return base.replace(/[?#].*$/, "").replace(/[^\/]*$/, "") + uri;
  }

  function play(video) {
    var played = video.play();
    if (played && played.catch) { played.catch(function () { /* autoplay refused: the controls remain */ }); }
  }

  function mime(level) {
    return (level.audioOnly ? "audio/mp4" : "video/mp4") + '; codecs="' + level.codecs + '"';
  }

  function attributes(line) {
    var result = {}, pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g, match;
    while ((match = pattern.exec(line))) { result[match[1]] = match[2].replace(/^"|"$/g, ""); }
    return result;
  }

  function parseMaster(text, base) {
    var lines = text.split(/\r?\n/), levels = [], pending = null;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (line.indexOf("#EXT-X-STREAM-INF:") === 0) {
        var a = attributes(line.slice(18)), size = (a.RESOLUTION || "").split("x");
        pending = { bandwidth: parseInt(a.BANDWIDTH, 10) || 0, codecs: a.CODECS || "",
                    height: parseInt(size[1], 10) || 0, width: parseInt(size[0], 10) || 0 };
      } else if (pending && line && line.charAt(0) !== "#") {
        pending.uri = resolve(line, base);
        pending.audioOnly = !pending.height && !/avc1/.test(pending.codecs);
        levels.push(pending);
        pending = null;
      }
    }
    return levels;
  }

  function parseMedia(text, base) {
    var lines = text.split(/\r?\n/), playlist = { init: null, segments: [], duration: 0 }, length = null;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (line.indexOf("#EXT-X-MAP:") === 0) {
        playlist.init = resolve(attributes(line.slice(11)).URI, base);
      } else if (line.indexOf("#EXTINF:") === 0) {
        length = parseFloat(line.slice(8));
      } else if (length !== null && line && line.charAt(0) !== "#") {
        playlist.segments.push({ uri: resolve(line, base), start: playlist.duration, duration: length });
        playlist.duration += length;
        length = null;
      }
    }
    return playlist;
  }

  /* One MediaSource fed from one set of levels (the video rungs, or the sound alone).
     The source is attached at once, inside the viewer's click, so play() keeps the
     gesture; the levels follow when the master playlist arrives (setLevels). */
  function Engine(video, options) {
    this.video = video;
    this.levels = null;                // smallest first
    this.options = options;            // {start, cap(), choice(), say(text), onLevel(level)}
    this.playlists = {};
    this.level = 0;
    this.appendedInit = -1;
    this.next = 0;                     // index of the next segment to fetch
    this.estimate = 0;                 // bit/s, smoothed
    this.xhr = null;
    this.busy = false;
    this.failures = 0;
    this.ended = false;
    this.destroyed = false;
    this.starting = true;              // until the buffer first outlasts the next fetch
    this.held = false;                 // we paused the start to buffer (not the viewer)
    var Source = window.ManagedMediaSource || window.MediaSource, self = this;
    this.source = new Source();
    if (window.ManagedMediaSource) { video.disableRemotePlayback = true; }
    this.source.addEventListener("sourceopen", function () { self.sourceOpen = true; self.open(); });
    video.src = URL.createObjectURL(this.source);
    this.onSeeking = function () { self.seek(); };
    video.addEventListener("seeking", this.onSeeking);
    this.timer = window.setInterval(function () { self.pump(); }, 1000);
  }

  Engine.prototype.setLevels = function (levels) {
    this.levels = levels;
    this.open();
  };

  Engine.prototype.open = function () {
    var self = this;
    if (!this.sourceOpen || !this.levels || this.opening) { return; }
    this.opening = true;
    this.playlist(this.level, function (playlist) {
      self.codecs = mime(self.levels[self.level]);
      self.buffer = self.source.addSourceBuffer(self.codecs);
      self.buffer.addEventListener("updateend", function () { self.busy = false; self.pump(); });
      self.source.duration = playlist.duration;
      self.next = self.indexAt(playlist, self.options.start || 0);
      if (self.options.start) { self.video.currentTime = self.options.start; }
      self.pump();
    });
  };

  Engine.prototype.playlist = function (index, done) {
    var self = this, level = this.levels[index];
    if (this.playlists[index]) { done(this.playlists[index]); return; }
    this.fetch(level.uri, false, function (text) {
      self.playlists[index] = parseMedia(text, level.uri);
      done(self.playlists[index]);
    });
  };

  Engine.prototype.fetch = function (url, binary, done) {
    var self = this;
    this.xhr = request(url, binary, function (error, body, bytes, ms) {
      self.xhr = null;
      if (self.destroyed) { return; }
      if (error) {
        // A dropped rural line: say so, wait longer each time, try again.
        self.failures += 1;
        self.options.say("网络不稳定，正在重试…");
        window.setTimeout(function () { if (!self.destroyed) { self.fetch(url, binary, done); } },
          Math.min(RETRY_MAX_MS, 500 * Math.pow(2, self.failures)));
        return;
      }
      if (self.failures) { self.failures = 0; self.options.say(""); }
      done(body, bytes, ms);
    });
  };

  Engine.prototype.indexAt = function (playlist, time) {
    for (var i = 0; i < playlist.segments.length; i++) {
      var segment = playlist.segments[i];
      if (time < segment.start + segment.duration) { return i; }
    }
    return playlist.segments.length;
  };

  Engine.prototype.ahead = function () {
    var ranges = this.video.buffered, now = this.video.currentTime;
    for (var i = 0; i < ranges.length; i++) {
      if (now >= ranges.start(i) - 0.3 && now <= ranges.end(i)) { return ranges.end(i) - now; }
    }
    return 0;
  };

  Engine.prototype.choose = function () {
    var cap = Math.min(this.options.cap(), this.levels.length - 1), chosen = this.options.choice();
    if (chosen >= 0) { return Math.min(chosen, cap); }
    if (!this.estimate) { return 0; }
    var ahead = this.ahead(), fits = 0;
    for (var i = 0; i <= cap; i++) {
      if (this.levels[i].bandwidth <= SAFE_SHARE * this.estimate) { fits = i; }
    }
    if (fits > this.level) {
      // Climb one rung at a time, and only with a comfortable buffer: the link must prove itself.
      return ahead >= CLIMB_BUFFER ? this.level + 1 : this.level;
    }
    if (fits < this.level && (ahead < PANIC_BUFFER || this.levels[this.level].bandwidth > 0.9 * this.estimate)) {
      return fits;
    }
    return Math.min(this.level, cap);
  };

  Engine.prototype.pump = function () {
    if (this.destroyed || this.busy || this.xhr || !this.buffer || this.ended) { return; }
    if (this.buffer.updating) { return; }
    var now = this.video.currentTime, ranges = this.buffer.buffered;
    if (ranges.length && now - ranges.start(0) > BACK_SECONDS + 10) {
      this.busy = true;
      this.buffer.remove(0, now - BACK_SECONDS);   // old phones have little memory for media
      return;
    }
    if (this.ahead() >= AHEAD_SECONDS) { return; }
    var self = this, wanted = this.choose();
    this.playlist(wanted, function (playlist) { self.load(wanted, playlist); });
  };

  Engine.prototype.load = function (index, playlist) {
    var self = this;
    if (this.destroyed || this.xhr || this.busy) { return; }
    if (index !== this.level) {
      // Same instants on every rung: continue where the current rung stops.
      var from = this.playlists[this.level] && this.playlists[this.level].segments[this.next];
      this.next = from ? this.indexAt(playlist, from.start + 0.01) : this.next;
      this.level = index;
      this.options.onLevel(this.levels[index]);
    }
    if (this.next >= playlist.segments.length) {
      this.finish();
      return;
    }
    if (this.appendedInit !== index) {
      var type = mime(this.levels[index]);
      if (type !== this.codecs && this.buffer.changeType) { this.buffer.changeType(type); }
      this.codecs = type;
      this.fetch(playlist.init, true, function (data) {
        self.append(data, function () { self.appendedInit = index; });
      });
      return;
    }
    var segment = playlist.segments[this.next];
    this.fetch(segment.uri, true, function (data, bytes, ms) {
      if (index !== self.level) { self.pump(); return; }  // a seek or a switch came in between
      var sample = bytes * 8 * 1000 / ms;
      self.estimate = self.estimate ? 0.6 * self.estimate + 0.4 * sample : sample;
      self.append(data, function () { self.next += 1; self.guardStart(); });
    });
  };

  Engine.prototype.guardStart = function () {
    /* Two teachers on one line each get half of it: the first segment arrives, the
       second would not arrive before the first has played, and the picture stalls
       every few seconds. So, at the start only, play once the buffer outlasts the
       next segment's fetch at the measured rate: one short wait with the first
       picture shown and said, instead of stalls. A line with room to spare never waits. */
    if (!this.starting || !this.estimate) { return; }
    var playlist = this.playlists[this.level], segment = playlist && playlist.segments[this.next];
    var ahead = this.ahead();
    var needed = segment ? START_MARGIN * this.levels[this.level].bandwidth * segment.duration / this.estimate + 0.5 : 0;
    if (ahead >= needed) {
      this.starting = false;
      if (this.held) {
        this.held = false;
        this.options.say("");
        play(this.video);
      }
    } else if (!this.held && !this.video.paused) {
      this.held = true;
      this.video.pause();
      this.options.say("网速较慢，先缓冲几秒再播放，以免卡顿…");
    }
  };

  Engine.prototype.append = function (data, appended) {
    if (this.destroyed) { return; }
    try {
      this.busy = true;
      this.buffer.appendBuffer(data);
      appended();
    } catch (error) {
      this.busy = false;
      if (error.name === "QuotaExceededError") {
        this.busy = true;
        this.buffer.remove(0, Math.max(0, this.video.currentTime - 5));
      } else {
        this.options.say("播放出错，请刷新页面或下载视频观看。");
      }
    }
  };

  Engine.prototype.finish = function () {
    if (this.ended || this.source.readyState !== "open" || this.buffer.updating) { return; }
    this.ended = true;
    try { this.source.endOfStream(); } catch (e) { /* already ended */ }
  };

  Engine.prototype.seek = function () {
    var playlist = this.playlists[this.level];
    if (!playlist || this.destroyed) { return; }
    if (this.xhr) { this.xhr.abort(); this.xhr = null; }
    var time = this.video.currentTime + this.ahead();
    this.next = this.indexAt(playlist, time);
    if (this.ended && this.next < playlist.segments.length) { this.ended = false; }
    this.pump();
  };

  Engine.prototype.flushAhead = function () {
    // A rung chosen by hand shows within a second, not after the 30 s already fetched.
    var playlist = this.playlists[this.level], now = this.video.currentTime;
    if (!playlist || !this.buffer || this.buffer.updating || this.busy) { return; }
    if (this.xhr) { this.xhr.abort(); this.xhr = null; }
    this.next = this.indexAt(playlist, now + 1);
    var start = this.next < playlist.segments.length ? playlist.segments[this.next].start : playlist.duration;
    this.ended = false;
    this.busy = true;
    this.buffer.remove(start, Infinity);
  };

  Engine.prototype.destroy = function () {
    this.destroyed = true;
    window.clearInterval(this.timer);
    this.video.removeEventListener("seeking", this.onSeeking);
    if (this.xhr) { this.xhr.abort(); }
    this.video.removeAttribute("src");
    this.video.load();
  };

  function saverDefault() {
    try {
      var stored = window.localStorage.getItem(SAVER_KEY);
      if (stored !== null) { return stored === "1"; }
    } catch (e) { /* private mode */ }
    var connection = navigator.connection;
    return !!(connection && (connection.saveData || /2g/.test(connection.effectiveType || "")));
  }

  function Player(figure) {
    this.figure = figure;
    this.video = figure.querySelector("video");
    this.button = figure.querySelector(".yk-play");
    this.quality = figure.querySelector(".yk-quality");
    this.saver = figure.querySelector(".yk-saver");
    this.message = figure.querySelector(".yk-player-message");
    this.engine = null;
    this.levels = null;
    this.saver.checked = saverDefault();
    var self = this;
    this.button.addEventListener("click", function () { self.start(); });
    // Shown only now: the script loads async, and a press before it had nothing to answer it.
    this.button.hidden = false;
    this.video.addEventListener("playing", function () { self.say(""); });
    this.saver.addEventListener("change", function () {
      try { window.localStorage.setItem(SAVER_KEY, self.saver.checked ? "1" : "0"); } catch (e) { /* ignore */ }
      if (self.engine && self.saver.checked) { self.engine.flushAhead(); }
    });
    this.quality.addEventListener("change", function () { self.changed(); });
    figure.ykPlayer = this;
  }

  Player.prototype.say = function (text) {
    this.message.textContent = text;
    this.message.hidden = !text;
  };

  Player.prototype.start = function () {
    var self = this, master = this.figure.getAttribute("data-master");
    var Source = window.ManagedMediaSource || window.MediaSource;
    this.button.hidden = true;
    if (!Source) { this.native(master); return; }
    this.say("正在加载…");
    this.attach(0);
    request(master, false, function (error, text) {
      if (error) { self.say("网络不稳定，请稍后再试，或下载视频观看。"); self.button.hidden = false; return; }
      var levels = parseMaster(text, master);
      self.levels = {
        video: levels.filter(function (level) { return !level.audioOnly && Source.isTypeSupported(mime(level)); }),
        audio: levels.filter(function (level) { return level.audioOnly && Source.isTypeSupported(mime(level)); })
      };
      if (!self.levels.video.length) { self.engine.destroy(); self.engine = null; self.native(master); return; }
      self.feed();
    });
  };

  Player.prototype.native = function (master) {
    // Safari before ManagedMediaSource plays HLS itself and chooses the rung on its own.
    if (this.video.canPlayType("application/vnd.apple.mpegurl")) {
      this.video.src = master;
      this.say("");
      this.video.play();
    } else {
      this.say("此浏览器无法播放在线视频，请使用下方的“下载课堂用小视频”。");
    }
  };

  Player.prototype.attach = function (at) {
    // Called in the viewer's click or change: the new source and play() keep the gesture.
    var self = this;
    this.mode = this.quality.value === "audio" ? "audio" : "video";
    if (this.engine) { this.engine.destroy(); }
    this.engine = new Engine(this.video, {
      start: at,
      cap: function () { return self.saver.checked ? 0 : Infinity; },
      choice: function () { return self.choice(self.engine.levels); },
      say: function (text) { self.say(text); },
      onLevel: function (level) { self.figure.setAttribute("data-level", level.height ? level.height + "p" : "audio"); }
    });
    play(this.video);
    if (this.levels) { this.feed(); }
  };

  Player.prototype.feed = function () {
    var audio = this.mode === "audio" && this.levels.audio.length > 0;
    // Sound only: the last picture would stay frozen on screen; say plainly that it is sound alone.
    this.figure.className = this.figure.className.replace(/ ?is-audio-only/g, "") + (audio ? " is-audio-only" : "");
    var levels = audio ? this.levels.audio : this.levels.video;
    this.figure.setAttribute("data-level", audio ? "audio" : levels[0].height + "p");
    this.engine.setLevels(levels);
  };

  Player.prototype.choice = function (levels) {
    var value = this.quality.value;
    if (value === "auto" || value === "audio") { return -1; }
    for (var i = 0; i < levels.length; i++) { if (String(levels[i].height) === value) { return i; } }
    return -1;
  };

  Player.prototype.changed = function () {
    if (!this.engine) { return; }
    var wanted = this.quality.value === "audio" ? "audio" : "video";
    // Between sound and picture the stream changes kind: start again where the viewer is.
    if (wanted !== this.mode) { this.attach(this.video.currentTime); return; }
    this.engine.flushAhead();
  };

  function pending(figure) {
    // Transcoding: poll slowly and reload once the video can be played.
    var url = figure.getAttribute("data-status-url");
    var timer = window.setInterval(function () {
      request(url, false, function (error, text) {
        if (error) { return; }
        var data = JSON.parse(text);
        var message = figure.querySelector(".yk-player-message");
        if (data.playable) { window.clearInterval(timer); window.location.reload(); return; }
        if (data.status === "failed") { window.clearInterval(timer); }
        message.textContent = data.status === "failed"
          ? "视频处理失败，上传者可在工作台查看原因并重新上传。"
          : "视频正在处理：" + data.status_label + " " + data.progress + "%，完成后即可播放。";
      });
    }, 10000);
  }

  var figures = document.querySelectorAll(".yk-player");
  for (var i = 0; i < figures.length; i++) {
    if (figures[i].getAttribute("data-master")) { new Player(figures[i]); } else { pending(figures[i]); }
  }
})();
