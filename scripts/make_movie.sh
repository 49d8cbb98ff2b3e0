#!/usr/bin/env bash
# Turns the frames of an orbit into an MP4 (H.264, yuv420p: plays in
# browsers and on phones) and a looping GIF (own 256-colour palette); or,
# with -A, one angle across the snapshots of a time series.
#
#   scripts/make_movie.sh [options] FRAMES
#   scripts/make_movie.sh [options] -A N SERIES
#
#   FRAMES      a frame directory (frames named volumerender<n>.png), or a
#               path prefix such as out/volumerender or out/myprefix
#   -A N SERIES angle N across a time series: the frames SERIES/*/
#               volumerender<N>.png (volrender_mpi's folders, one per
#               snapshot), in natural order of the folder names (snap_2
#               before snap_10); folders with no frame at all (e.g. lists/)
#               are ignored, a snapshot folder without frame N is refused
#               (default output SERIES/angle<N>)
#   -p NAME     frame name prefix with -A (default volumerender)
#   -r FPS      frame rate (default 12)
#   -o NAME     output base name: NAME.mp4 and NAME.gif
#               (default FRAMES-directory/orbit)
#   -S K        enlarge K times, nearest neighbour (default 1; small frames
#               such as 180 x 180 look better at K = 2 or 3)
#   -b          bounce: play the orbit forward then backward, so the loop
#               has no jump (the reference orbit spans 0 to 90 degrees)
#   -m | -g     MP4 only | GIF only
#
# The frames must be numbered without gaps from the lowest index found
# (volrender_mpi --first-angle I starts at I).  Odd sizes are padded with a
# black row / column to even dimensions (yuv420p needs them); pixels are
# never resampled unless -S asks for it.  Needs ffmpeg (with libx264 for
# MP4; apt-get install ffmpeg).
#
#   mpirun -np 2 build/volrender_mpi -a 36 -o orbit36
#   scripts/make_movie.sh -r 12 -S 2 -b orbit36      # orbit36/orbit.mp4, .gif
#   mpirun -np 2 build/volrender_mpi -i 'snap_*.h5' -o series
#   scripts/make_movie.sh -r 8 -A 0 series           # series/angle0.mp4, .gif
set -euo pipefail

FPS=12
OUT=""
SCALE=1
BOUNCE=0
MP4=1
GIF=1
ANGLE=""
FPREFIX=volumerender
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while getopts "r:o:S:A:p:bmgh" opt; do
  case $opt in
    r) FPS=$OPTARG ;; o) OUT=$OPTARG ;; S) SCALE=$OPTARG ;; b) BOUNCE=1 ;;
    A) ANGLE=$OPTARG ;; p) FPREFIX=$OPTARG ;;
    m) GIF=0 ;; g) MP4=0 ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(($# == 1)) || { usage >&2; exit 2; }
[[ $FPS =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "make_movie: bad frame rate '$FPS'" >&2; exit 2; }
[[ $SCALE =~ ^[1-9][0-9]*$ ]] || { echo "make_movie: bad scale '$SCALE'" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "make_movie: no ffmpeg (apt-get install ffmpeg)" >&2; exit 1; }

if [[ -n $ANGLE ]]; then
  [[ $ANGLE =~ ^(0|[1-9][0-9]*)$ ]] || { echo "make_movie: bad angle '$ANGLE'" >&2; exit 2; }
  [[ $FPREFIX =~ ^[^/]+$ ]] || { echo "make_movie: bad prefix '$FPREFIX'" >&2; exit 2; }
  SERIES=${1%/}
  [[ -d $SERIES ]] || { echo "make_movie: no series folder '$SERIES'" >&2; exit 1; }
  OUT=${OUT:-$SERIES/angle$ANGLE}
  # Snapshot folders: those holding frames PREFIX<n>.png, in natural order.
  DIRS=()
  while IFS= read -r d; do
    for f in "$d/$FPREFIX"*.png; do
      n=${f#"$d/$FPREFIX"}
      n=${n%.png}
      if [[ -e $f && $n =~ ^(0|[1-9][0-9]*)$ ]]; then DIRS+=("$d"); break; fi
    done
  done < <(find "$SERIES" -mindepth 1 -maxdepth 1 -type d | sort -V)
  ((${#DIRS[@]})) || { echo "make_movie: no snapshot folders with frames" \
                            "$SERIES/*/${FPREFIX}<n>.png" >&2; exit 1; }
  LACKING=()
  for d in "${DIRS[@]}"; do
    [[ -f $d/$FPREFIX$ANGLE.png ]] || LACKING+=("${d##*/}")
  done
  if ((${#LACKING[@]})); then
    echo "make_movie: ${#LACKING[@]} of ${#DIRS[@]} snapshot folder(s) have no" \
         "$FPREFIX$ANGLE.png: ${LACKING[*]}" >&2
    exit 1
  fi
  # The frames in order, as links 0.png, 1.png, ... for ffmpeg's image reader.
  LINKS=$(mktemp -d "${TMPDIR:-/tmp}/make_movie.XXXXXX")
  trap 'rm -rf "$LINKS"' EXIT
  for k in "${!DIRS[@]}"; do
    ln -s "$(cd "${DIRS[k]}" && pwd)/$FPREFIX$ANGLE.png" "$LINKS/$k.png"
  done
  PREFIX=$LINKS/
  FIRST=0
  LAST=$((${#DIRS[@]} - 1))
  NFRAMES=${#DIRS[@]}
  WHAT="snapshots ${DIRS[0]##*/}..${DIRS[LAST]##*/}, angle $ANGLE"
else
  if [[ -d $1 ]]; then
    PREFIX=${1%/}/volumerender
  else
    PREFIX=$1
  fi
  OUT=${OUT:-$(dirname "$PREFIX")/orbit}

  # Indices present: PREFIX<n>.png, n decimal without leading zeros.
  IDX=()
  for f in "$PREFIX"*.png; do
    n=${f#"$PREFIX"}
    n=${n%.png}
    if [[ -e $f && $n =~ ^(0|[1-9][0-9]*)$ ]]; then IDX+=("$n"); fi
  done
  ((${#IDX[@]})) || { echo "make_movie: no frames ${PREFIX}<n>.png" >&2; exit 1; }
  mapfile -t IDX < <(printf '%s\n' "${IDX[@]}" | sort -n)
  FIRST=${IDX[0]}
  LAST=${IDX[${#IDX[@]} - 1]}
  if ((LAST - FIRST + 1 != ${#IDX[@]})); then
    echo "make_movie: frames $FIRST..$LAST have gaps (${#IDX[@]} present); ffmpeg" \
         "would stop at the first gap" >&2
    exit 1
  fi
  NFRAMES=${#IDX[@]}
  WHAT="frames $FIRST..$LAST"
fi

# Even dimensions by padding; optional integer enlargement.
FILTER="pad=ceil(iw/2)*2:ceil(ih/2)*2:0:0:black"
((SCALE > 1)) && FILTER="scale=iw*$SCALE:ih*$SCALE:flags=neighbor,$FILTER"
if ((BOUNCE)); then
  # forward, then backward without repeating the end frames
  FILTER="$FILTER,split[f][r];[r]reverse,trim=start_frame=1,setpts=PTS-STARTPTS[rv];[f][rv]concat=n=2:v=1"
  if ((NFRAMES > 2)); then FILTER="$FILTER,trim=end_frame=$((2 * NFRAMES - 2))"; fi
fi
INPUT=(-hide_banner -loglevel error -y -framerate "$FPS" -start_number "$FIRST"
       -i "$PREFIX%d.png")

if ((MP4)); then
  codec=(-c:v libx264 -preset slow -crf 18 -pix_fmt yuv420p -movflags +faststart)
  encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null || true)   # no grep -q pipe: SIGPIPE
  if [[ $encoders != *libx264* ]]; then
    echo "make_movie: ffmpeg has no libx264; using mpeg4" >&2
    codec=(-c:v mpeg4 -q:v 2 -pix_fmt yuv420p)
  fi
  ffmpeg "${INPUT[@]}" -vf "$FILTER" -r "$FPS" "${codec[@]}" "$OUT.mp4"
  echo "make_movie: $OUT.mp4 ($NFRAMES frames: $WHAT, at $FPS fps$( ((BOUNCE)) && echo ", bounced"))"
fi
if ((GIF)); then
  ffmpeg "${INPUT[@]}" -filter_complex \
    "$FILTER,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4" \
    -r "$FPS" -loop 0 "$OUT.gif"
  echo "make_movie: $OUT.gif ($NFRAMES frames: $WHAT, at $FPS fps, looping)"
fi
