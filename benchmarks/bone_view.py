"""Frame time of the 3D bone view (run by benchmarks/run.py under Xvfb with Mesa's software GL).

    LIBGL_ALWAYS_SOFTWARE=1 QT_QPA_PLATFORM=xcb xvfb-run -a python benchmarks/bone_view.py

Builds the bone surface of the 512 x 512 x 300 benchmark volume into a study, opens the view and
times 60 rotation steps, each rendered and read back (an upper bound on a frame: on screen there is
no read-back); prints JSON. BONE_VIEW_TRIANGLES and BONE_VIEW_SIZE (e.g. 800x600) vary the load.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    import numpy as np
    from rushrater.gui.app import application
    from rushrater.gui.drr import BoneViewWindow
    from rushrater.gui.drr.bone_view import VIEW_TRIANGLES
    from rushrater.imaging import bone

    from run import _hip_ct_512

    app = application([])
    mesh = bone.bone_surface(_hip_ct_512(), target_triangles=int(os.environ.get("BONE_VIEW_TRIANGLES", VIEW_TRIANGLES)))

    class _Fixed(BoneViewWindow):  # the surface from memory: no study needed to time the frames
        def rebuild(self):
            self.mesh = mesh
            self.centre = mesh.vertices.mean(axis=0).astype(np.float64)
            self.view.setCameraPosition(distance=float(np.ptp(mesh.vertices, axis=0).max()) * 1.8, elevation=10, azimuth=-90)
            self.update_mesh()

    window = _Fixed(None, 0, side="both")  # a study is needed only to rebuild the surface
    window.resize(*(int(v) for v in os.environ.get("BONE_VIEW_SIZE", "1280x900").split("x")))
    window.show()
    for _ in range(10):
        app.processEvents()
    times = []
    for step in range(60):
        start = time.perf_counter()
        window.view.orbit(6, 0)
        window.view.grabFramebuffer()  # renders the frame now (paintGL into an FBO) and reads it back
        times.append(time.perf_counter() - start)
    print(json.dumps({"bone_view_frame_ms": round(statistics.median(times) * 1000, 1),
                      "bone_view_triangles": mesh.triangle_count}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
