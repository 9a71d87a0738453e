// plotly.js with only the traces selfassess draws: the radar charts (scatterpolar, the band
// as a filled trace) and the dashboard's box plots. Add a trace here when a chart needs it.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/scatterpolar'),
    require('plotly.js/lib/box')
]);

module.exports = Plotly;
