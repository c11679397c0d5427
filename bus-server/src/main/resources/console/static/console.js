// The console's only script: plain JavaScript served from the jar. Pages work without it; it only asks before
// forms marked data-confirm are sent.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
