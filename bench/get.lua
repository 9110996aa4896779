-- wrk script: plain GETs of the URL given, counted.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
require("count")
