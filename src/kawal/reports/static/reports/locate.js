// Fills the report's hidden map point from the phone's location, when the
// device allows and the reporter asks; the form works without it.
(function () {
  var button = document.getElementById("locate");
  if (!button || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var status = document.getElementById("locate-status");
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("id_latitude").value = position.coords.latitude.toFixed(5);
      document.getElementById("id_longitude").value = position.coords.longitude.toFixed(5);
      status.textContent = button.dataset.done;
    }, function () {
      status.textContent = button.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
