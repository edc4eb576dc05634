// Signature pads for forms marked data-signature: draw with a finger, pen or mouse (pointer events) on the form's
// <canvas>, and on submit put the drawing as a PNG data URL into the form's input[name=image]. No dependencies,
// no inline script (the content security policy allows only our own files).
(function () {
  "use strict";

  function setUp(form) {
    var canvas = form.querySelector("canvas");
    var field = form.querySelector("input[name=image]");
    var clear = form.querySelector("[data-signature-clear]");
    var empty = form.querySelector("[data-signature-empty]");
    if (!canvas || !field) return;
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var inked = false;
    var last = null;

    // The drawing buffer follows the displayed size (sharp on high-density phones), kept within the server's limits.
    function fit() {
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var rect = canvas.getBoundingClientRect();
      canvas.width = Math.min(Math.round(rect.width * ratio), 2000);
      canvas.height = Math.min(Math.round(rect.height * ratio), 1000);
      ctx.setTransform(canvas.width / rect.width, 0, 0, canvas.height / rect.height, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      inked = false;
      field.value = "";
    }

    function point(e) {
      var rect = canvas.getBoundingClientRect();
      return { x: e.clientX - rect.left, y: e.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
      drawing = true;
      last = point(e);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
      inked = true;
      if (empty) empty.hidden = true;
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      e.preventDefault();
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
    });
    function stop() { drawing = false; last = null; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    if (clear) {
      clear.addEventListener("click", function (e) {
        e.preventDefault();
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        inked = false;
        field.value = "";
      });
    }

    form.addEventListener("submit", function (e) {
      if (!inked) {
        e.preventDefault();
        if (empty) empty.hidden = false;
        return;
      }
      field.value = canvas.toDataURL("image/png");
    });

    fit();
  }

  var forms = document.querySelectorAll("form[data-signature]");
  for (var i = 0; i < forms.length; i++) setUp(forms[i]);
})();
