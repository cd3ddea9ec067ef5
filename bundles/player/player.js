/* The offline player: browse the bundle's manifest by 学段 → 学科 → 教材 → 单元 → 课, play, count plays.
 * ES5 and XMLHttpRequest on purpose: it must run on the old phones and PCs of a 教学点.
 * Plays are counts per lesson per day, nothing else: reported to the box (youke-sync serve, POST usage)
 * or, on a plain static server, kept in this browser until 「导出使用记录」 saves them as a file.
 */
(function () {
    "use strict";
    var QUALIFYING_SECONDS = 10; // as online: a play counts after 10 s of playback
    var manifest = null;
    var view = document.getElementById("view");
    var crumbs = document.getElementById("crumbs");

    function get(url, done) {
        var request = new XMLHttpRequest();
        request.open("GET", url);
        request.onload = function () { done(request.status === 200 ? JSON.parse(request.responseText) : null); };
        request.onerror = function () { done(null); };
        request.send();
    }

    function el(tag, text, attributes) {
        var node = document.createElement(tag);
        if (text) { node.textContent = text; }
        for (var key in attributes || {}) { node.setAttribute(key, attributes[key]); }
        return node;
    }

    function unique(lessons, key, label, order) {
        var seen = {}, out = [];
        lessons.forEach(function (lesson) {
            var id = lesson.placement[key];
            if (!seen[id]) {
                seen[id] = { id: id, label: label(lesson), order: order(lesson), count: 0 };
                out.push(seen[id]);
            }
            seen[id].count += 1;
        });
        return out.sort(function (a, b) { return a.order - b.order; });
    }

    function list(items, href) {
        var ul = el("ul", "", { "class": "choices" });
        items.forEach(function (item) {
            var li = el("li"), link = el("a", item.label, { href: href(item) });
            link.appendChild(el("small", item.count + " 节课"));
            li.appendChild(link);
            ul.appendChild(li);
        });
        return ul;
    }

    function where(test) { return manifest.lessons.filter(test); }

    function show(title, body, trail) {
        view.innerHTML = "";
        view.appendChild(el("h2", title));
        view.appendChild(body);
        crumbs.innerHTML = "";
        [["全部", "#/"]].concat(trail || []).forEach(function (step, index) {
            if (index) { crumbs.appendChild(document.createTextNode(" › ")); }
            crumbs.appendChild(el("a", step[0], { href: step[1] }));
        });
    }

    function byOrder(field) { return function (lesson) { return lesson.placement[field]; }; }
    function label(field) { return function (lesson) { return lesson.placement[field]; }; }

    function route() {
        if (!manifest) { return; }
        var parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
        var kind = parts[0], p;
        if (kind === "s" && parts.length === 2) {
            var inStage = where(function (l) { return l.placement.stage === parts[1]; });
            show(parts[1] + " · 选择学科", list(unique(inStage, "subject", label("subject"), byOrder("subject_order")),
                function (item) { return "#/s/" + encodeURIComponent(parts[1]) + "/" + encodeURIComponent(item.id); }),
                [[parts[1], location.hash]]);
        } else if (kind === "s" && parts.length === 3) {
            var inSubject = where(function (l) { return l.placement.stage === parts[1] && l.placement.subject === parts[2]; });
            show(parts[2] + " · 选择教材", list(unique(inSubject, "textbook_id", label("textbook"), byOrder("textbook_order")),
                function (item) { return "#/t/" + item.id; }),
                [[parts[1], "#/s/" + encodeURIComponent(parts[1])], [parts[2], location.hash]]);
        } else if (kind === "t") {
            var inBook = where(function (l) { return String(l.placement.textbook_id) === parts[1]; });
            p = inBook[0].placement;
            show(p.textbook + " · 选择单元", list(unique(inBook, "unit_id", label("unit"), byOrder("unit_order")),
                function (item) { return "#/u/" + item.id; }), trail(p, 3));
        } else if (kind === "u") {
            var inUnit = where(function (l) { return String(l.placement.unit_id) === parts[1]; });
            p = inUnit[0].placement;
            show(p.unit + " · 选择课", list(unique(inUnit, "lesson_id", label("lesson"), byOrder("lesson_order")),
                function (item) { return "#/n/" + item.id; }), trail(p, 4));
        } else if (kind === "n") {
            var atNode = where(function (l) { return String(l.placement.lesson_id) === parts[1]; });
            if (atNode.length === 1) { location.replace("#/l/" + atNode[0].id); return; }
            p = atNode[0].placement;
            show(p.lesson, list(atNode.map(function (l) {
                return { id: l.id, label: l.title + "（" + l.teacher + "，" + (l.school ? l.school.name : "") + "）", count: 1 };
            }), function (item) { return "#/l/" + item.id; }), trail(p, 5));
        } else if (kind === "l") {
            lesson(where(function (l) { return String(l.id) === parts[1]; })[0]);
        } else {
            show("选择学段", list(unique(manifest.lessons, "stage", label("stage"), byOrder("stage_order")),
                function (item) { return "#/s/" + encodeURIComponent(item.id); }));
        }
    }

    function trail(p, depth) {
        var steps = [
            [p.stage, "#/s/" + encodeURIComponent(p.stage)],
            [p.subject, "#/s/" + encodeURIComponent(p.stage) + "/" + encodeURIComponent(p.subject)],
            [p.textbook, "#/t/" + p.textbook_id],
            [p.unit, "#/u/" + p.unit_id],
            [p.lesson, "#/n/" + p.lesson_id]
        ];
        return steps.slice(0, depth);
    }

    function lesson(item) {
        var body = el("div"), p = item.placement;
        var facts = [item.teacher, item.school ? item.school.name : "", item.award ? item.award.label : ""];
        body.appendChild(el("p", facts.filter(Boolean).join(" · "), { "class": "meta" }));
        body.appendChild(el("p", p.textbook + " · " + p.unit, { "class": "meta" }));
        var video = item.files.filter(function (f) { return f.role === "video"; })[0];
        var poster = item.files.filter(function (f) { return f.role === "poster"; })[0];
        if (video) {
            var isAudio = video.media_type.indexOf("audio/") === 0;
            var player = el(isAudio ? "audio" : "video", "", { controls: "", preload: "metadata", src: video.path });
            if (poster && !isAudio) { player.setAttribute("poster", poster.path); }
            player.setAttribute("data-rendition", video.rendition);
            countPlays(player, item.id);
            body.appendChild(player);
        } else {
            body.appendChild(el("p", "本课没有视频。"));
        }
        var docs = item.files.filter(function (f) { return f.role === "document"; });
        if (docs.length) {
            var box = el("div", "", { "class": "docs" });
            box.appendChild(el("h3", "教学资料"));
            docs.forEach(function (doc) {
                var attributes = { href: doc.path, target: "_blank" };
                if (!/\.pdf$/.test(doc.path)) { attributes.download = doc.title; }
                box.appendChild(el("a", doc.kind_label + "：" + doc.title, attributes));
            });
            body.appendChild(box);
        }
        if (item.description) { body.appendChild(el("p", item.description)); }
        show(item.title, body, trail(p, 5));
    }

    // --- plays

    function today() {
        var d = new Date();
        function two(n) { return (n < 10 ? "0" : "") + n; }
        return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
    }

    function storeKey() { return "youke-usage:" + manifest.bundle_id; }

    function stored() {
        var saved = null;
        try { saved = JSON.parse(localStorage.getItem(storeKey())); } catch (e) { saved = null; }
        if (!saved) {
            var hex = "";
            for (var i = 0; i < 12; i++) { hex += Math.floor(Math.random() * 16).toString(16); }
            saved = { source: "dev:" + hex, plays: {} }; // a random id for this browser: its re-exports replace themselves
        }
        return saved;
    }

    function keepLocally(lessonId, day) {
        var saved = stored(), key = lessonId + "|" + day;
        saved.plays[key] = (saved.plays[key] || 0) + 1;
        try { localStorage.setItem(storeKey(), JSON.stringify(saved)); } catch (e) { /* private mode: not kept */ }
        note();
    }

    function record(lessonId) {
        var day = today(), request = new XMLHttpRequest();
        request.open("POST", "usage");
        request.setRequestHeader("Content-Type", "application/json");
        // Counted once: on the box when it takes the report, else in this browser.
        request.onload = function () { if (request.status !== 204) { keepLocally(lessonId, day); } };
        request.onerror = function () { keepLocally(lessonId, day); };
        request.send(JSON.stringify({ lesson: lessonId, day: day }));
        document.body.setAttribute("data-last-play", String(lessonId));
    }

    function countPlays(player, lessonId) {
        var played = 0, last = null, counted = false;
        player.addEventListener("timeupdate", function () {
            var now = player.currentTime;
            if (last !== null && now > last && now - last < 2) { played += now - last; }
            last = now;
            if (!counted && played >= QUALIFYING_SECONDS) { counted = true; record(lessonId); }
        });
        player.addEventListener("seeking", function () { last = null; });
    }

    function usageFile() {
        var saved = stored(), plays = [];
        Object.keys(saved.plays).sort().forEach(function (key) {
            var parts = key.split("|");
            plays.push({ lesson: Number(parts[0]), day: parts[1], plays: saved.plays[key] });
        });
        return { format: "youke-usage", schema_version: 1, bundle_id: manifest.bundle_id, source: saved.source,
            school: null, plays: plays };
    }

    function note() {
        var total = usageFile().plays.reduce(function (sum, row) { return sum + row.plays; }, 0);
        document.getElementById("usage-note").textContent = total ?
            "本机记录了 " + total + " 次播放，请导出使用记录交给学校管理员。" : "";
    }

    document.getElementById("export-usage").addEventListener("click", function () {
        var blob = new Blob([JSON.stringify(usageFile(), null, 1)], { type: "application/json" });
        var link = el("a", "", { href: URL.createObjectURL(blob), download: "youke-usage-" + today() + ".json" });
        document.body.appendChild(link);
        link.click();
        document.body.removeChild(link);
    });

    get("manifest.json", function (loaded) {
        if (!loaded) { view.textContent = "无法读取资源目录（manifest.json）。请通过网页服务器打开本页。"; return; }
        manifest = loaded;
        document.getElementById("bundle-info").textContent =
            manifest.lessons.length + " 节课 · 版本 " + manifest.version.slice(0, 8) + " · " +
            (manifest.selection.licence === "public" ? "公开资源" : "仅限本校教师使用");
        note();
        route();
    });
    window.addEventListener("hashchange", route);
}());
