<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>AdjudicationDialog</name>
        <message>
            <source>Adjudicate case {0}</source>
            <translation>裁定病例 {0}</translation>
        </message>
        <message>
            <source>Cannot show the images</source>
            <translation>无法显示图像</translation>
        </message>
        <message>
            <source>Independent first reads (blinded raters)</source>
            <translation>独立首次阅片（盲法评分者）</translation>
        </message>
        <message>
            <source>Current consensus: {0} {1:g} by {2} (version {3})</source>
            <translation>当前共识：{0} {1:g}，由 {2} 确定（第 {3} 版）</translation>
        </message>
        <message>
            <source>&amp;Record consensus</source>
            <translation>记录共识(&amp;R)</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>总分</translation>
        </message>
        <message>
            <source>Consensus decision</source>
            <translation>共识决定</translation>
        </message>
        <message>
            <source>Adjudicator (one person)</source>
            <translation>裁定人（一人）</translation>
        </message>
        <message>
            <source>Consensus panel (a meeting)</source>
            <translation>共识小组（会议）</translation>
        </message>
        <message>
            <source>&amp;Decided by:</source>
            <translation>决定人(&amp;D)：</translation>
        </message>
        <message>
            <source>&amp;Method:</source>
            <translation>方式(&amp;M)：</translation>
        </message>
        <message>
            <source>RUSH &amp;total:</source>
            <translation>RUSH 总分(&amp;T)：</translation>
        </message>
        <message>
            <source>Slow healing (total below {0:g})</source>
            <translation>愈合缓慢（总分低于 {0:g}）</translation>
        </message>
        <message>
            <source>Not slow healing</source>
            <translation>非愈合缓慢</translation>
        </message>
        <message>
            <source>Healing &amp;status:</source>
            <translation>愈合状态(&amp;S)：</translation>
        </message>
        <message>
            <source>What was decided and why (kept in the audit trail)</source>
            <translation>决定内容及理由（记入审计记录）</translation>
        </message>
        <message>
            <source>&amp;Note:</source>
            <translation>备注(&amp;N)：</translation>
        </message>
        <message>
            <source>Adjudicator's name, or the panel members</source>
            <translation>裁定人姓名或小组成员</translation>
        </message>
        <message>
            <source>Cannot record the consensus</source>
            <translation>无法记录共识</translation>
        </message>
    </context>
    <context>
        <name>AdminPasswordDialog</name>
        <message>
            <source>Coordinator console</source>
            <translation>协调员控制台</translation>
        </message>
        <message>
            <source>The coordinator console shows every rater's scores and changes study settings, so it is protected by a study admin password. Choose one now (at least 8 characters); it is kept only as a scrypt hash in the study.</source>
            <translation>协调员控制台会显示所有评分者的评分并可修改研究设置，因此受研究管理员密码保护。请现在设置密码（至少 8 个字符）；研究中只保存其 scrypt 哈希值。</translation>
        </message>
        <message>
            <source>Enter the study admin password of “{0}”.</source>
            <translation>请输入“{0}”的研究管理员密码。</translation>
        </message>
        <message>
            <source>&amp;Password:</source>
            <translation>密码(&amp;P)：</translation>
        </message>
        <message>
            <source>&amp;Repeat:</source>
            <translation>再次输入(&amp;R)：</translation>
        </message>
        <message>
            <source>Set password and open</source>
            <translation>设置密码并打开</translation>
        </message>
        <message>
            <source>Open console</source>
            <translation>打开控制台</translation>
        </message>
        <message>
            <source>The two passwords differ; type the same password twice.</source>
            <translation>两次输入的密码不一致，请输入相同的密码。</translation>
        </message>
    </context>
    <context>
        <name>AgreementHeatmap</name>
        <message>
            <source>Weighted kappa ({0}) of the total, {1}</source>
            <translation>总分的加权 kappa（{0}），{1}</translation>
        </message>
    </context>
    <context>
        <name>App</name>
        <message>
            <source>RUSH Rater</source>
            <translation>RUSH 评分系统</translation>
        </message>
    </context>
    <context>
        <name>BlandAltmanPlot</name>
        <message>
            <source>{0} − {1}, total, {2}</source>
            <translation>{0} − {1}，总分，{2}</translation>
        </message>
        <message>
            <source>Mean of the two totals</source>
            <translation>两次总分的均值</translation>
        </message>
        <message>
            <source>Difference</source>
            <translation>差值</translation>
        </message>
        <message>
            <source>mean of others</source>
            <translation>其他评分者均值</translation>
        </message>
    </context>
    <context>
        <name>BodyCompWindow</name>
        <message>
            <source>Body composition at T12 — {0}</source>
            <translation>T12 层面身体成分 — {0}</translation>
        </message>
        <message>
            <source>PgUp/PgDn or the wheel: slice · Ctrl+P: propose contours · Ctrl+S: save</source>
            <translation>PgUp/PgDn 或滚轮：切换层面 · Ctrl+P：生成建议轮廓 · Ctrl+S：保存</translation>
        </message>
        <message>
            <source>Patient</source>
            <translation>患者</translation>
        </message>
        <message>
            <source>&amp;Patient:</source>
            <translation>患者(&amp;P)：</translation>
        </message>
        <message>
            <source>CT series:</source>
            <translation>CT 序列：</translation>
        </message>
        <message>
            <source>&amp;Import CT series…</source>
            <translation>导入 CT 序列(&amp;I)…</translation>
        </message>
        <message>
            <source>not entered</source>
            <translation>未录入</translation>
        </message>
        <message>
            <source>&amp;Height:</source>
            <translation>身高(&amp;H)：</translation>
        </message>
        <message>
            <source>not given</source>
            <translation>未提供</translation>
        </message>
        <message>
            <source>female</source>
            <translation>女</translation>
        </message>
        <message>
            <source>male</source>
            <translation>男</translation>
        </message>
        <message>
            <source>Se&amp;x:</source>
            <translation>性别(&amp;X)：</translation>
        </message>
        <message>
            <source>Save height and sex</source>
            <translation>保存身高和性别</translation>
        </message>
        <message>
            <source>Assessor</source>
            <translation>测量者</translation>
        </message>
        <message>
            <source>&amp;Measured by:</source>
            <translation>测量人(&amp;M)：</translation>
        </message>
        <message>
            <source>second assessor</source>
            <translation>第二测量者</translation>
        </message>
        <message>
            <source>Re&amp;viewed by:</source>
            <translation>审核人(&amp;V)：</translation>
        </message>
        <message>
            <source>needed when changing a saved measurement</source>
            <translation>修改已保存的测量时必填</translation>
        </message>
        <message>
            <source>R&amp;eason:</source>
            <translation>理由(&amp;E)：</translation>
        </message>
        <message>
            <source>Level (mid-T12)</source>
            <translation>层面（T12 中部）</translation>
        </message>
        <message>
            <source>&amp;Slice:</source>
            <translation>层面(&amp;S)：</translation>
        </message>
        <message>
            <source>Propose from &amp;TotalSegmentator labels…</source>
            <translation>根据 TotalSegmentator 标签生成建议(&amp;T)…</translation>
        </message>
        <message>
            <source>Measure → review → lock</source>
            <translation>测量 → 审核 → 锁定</translation>
        </message>
        <message>
            <source>&amp;Propose contours</source>
            <translation>生成建议轮廓(&amp;P)</translation>
        </message>
        <message>
            <source>Outer wall (orange) and visceral boundary (blue) by image processing; drag the points to correct them</source>
            <translation>外壁（橙色）和内脏边界（蓝色）由图像处理生成；拖动控制点可修正</translation>
        </message>
        <message>
            <source>&amp;Save measurement</source>
            <translation>保存测量(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Review (second assessor)</source>
            <translation>审核（第二测量者）(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Lock</source>
            <translation>锁定(&amp;L)</translation>
        </message>
        <message>
            <source>Reformat:</source>
            <translation>重建：</translation>
        </message>
        <message>
            <source>sagittal</source>
            <translation>矢状位</translation>
        </message>
        <message>
            <source>coronal</source>
            <translation>冠状位</translation>
        </message>
        <message>
            <source>Drag the green line to change the level.</source>
            <translation>拖动绿线可改变层面。</translation>
        </message>
        <message>
            <source>HU thresholds</source>
            <translation>HU 阈值</translation>
        </message>
        <message>
            <source>Muscle</source>
            <translation>肌肉</translation>
        </message>
        <message>
            <source>Visceral fat</source>
            <translation>内脏脂肪</translation>
        </message>
        <message>
            <source>Subcutaneous fat</source>
            <translation>皮下脂肪</translation>
        </message>
        <message>
            <source>Subcutaneous −190…−30</source>
            <translation>皮下 −190…−30</translation>
        </message>
        <message>
            <source>The common alternative range for subcutaneous fat</source>
            <translation>皮下脂肪常用的替代阈值范围</translation>
        </message>
        <message>
            <source>Save as study default</source>
            <translation>保存为研究默认值</translation>
        </message>
        <message>
            <source>Results</source>
            <translation>结果</translation>
        </message>
        <message>
            <source>Mean muscle</source>
            <translation>肌肉平均值</translation>
        </message>
        <message>
            <source>SMI</source>
            <translation>骨骼肌指数</translation>
        </message>
        <message>
            <source>VFI</source>
            <translation>内脏脂肪指数</translation>
        </message>
        <message>
            <source>SFI</source>
            <translation>皮下脂肪指数</translation>
        </message>
        <message>
            <source>VSR</source>
            <translation>内脏/皮下脂肪比</translation>
        </message>
        <message>
            <source>The study has no patients yet: import radiographs first.</source>
            <translation>研究中尚无患者：请先导入 X 线片。</translation>
        </message>
        <message>
            <source>none imported</source>
            <translation>尚未导入</translation>
        </message>
        <message>
            <source>No CT series for {0}: use Import CT series….</source>
            <translation>{0} 没有 CT 序列：请使用“导入 CT 序列…”。</translation>
        </message>
        <message>
            <source>{0} slices, {1:.2f} × {2:.2f} × {3:.1f} mm</source>
            <translation>{0} 层，{1:.2f} × {2:.2f} × {3:.1f} mm</translation>
        </message>
        <message>
            <source>{0:.1f} mm · {1}</source>
            <translation>{0:.1f} mm · {1}</translation>
        </message>
        <message>
            <source>from the T12 label</source>
            <translation>来自 T12 标签</translation>
        </message>
        <message>
            <source>chosen by scrolling</source>
            <translation>滚动选择</translation>
        </message>
        <message>
            <source>given</source>
            <translation>已提供</translation>
        </message>
        <message>
            <source>middle</source>
            <translation>中间层</translation>
        </message>
        <message>
            <source>Thresholds not saved</source>
            <translation>阈值未保存</translation>
        </message>
        <message>
            <source>Saved as the study's default thresholds</source>
            <translation>已保存为研究默认阈值</translation>
        </message>
        <message>
            <source>No contours proposed</source>
            <translation>未生成建议轮廓</translation>
        </message>
        <message>
            <source>outer</source>
            <translation>外轮廓</translation>
        </message>
        <message>
            <source>inner</source>
            <translation>内轮廓</translation>
        </message>
        <message>
            <source>Not assessed: {0}</source>
            <translation>未评估：{0}</translation>
        </message>
        <message>
            <source>No reference cut-off crossed (table {0})</source>
            <translation>未超过参考界值（表 {0}）</translation>
        </message>
        <message>
            <source>Enter the height to compute the indices.</source>
            <translation>请输入身高以计算指数。</translation>
        </message>
        <message>
            <source>Not saved yet.</source>
            <translation>尚未保存。</translation>
        </message>
        <message>
            <source>Saved version {0}: {1}</source>
            <translation>已保存第 {0} 版：{1}</translation>
        </message>
        <message>
            <source>, reviewed by {0}</source>
            <translation>，审核人 {0}</translation>
        </message>
        <message>
            <source>, locked by {0}</source>
            <translation>，锁定人 {0}</translation>
        </message>
        <message>
            <source>Height not saved</source>
            <translation>身高未保存</translation>
        </message>
        <message>
            <source>Height and sex saved for {0}</source>
            <translation>已保存 {0} 的身高和性别</translation>
        </message>
        <message>
            <source>CT series folder (DICOM) for {0}</source>
            <translation>{0} 的 CT 序列文件夹（DICOM）</translation>
        </message>
        <message>
            <source>CT series not imported</source>
            <translation>CT 序列未导入</translation>
        </message>
        <message>
            <source>TotalSegmentator label file</source>
            <translation>TotalSegmentator 标签文件</translation>
        </message>
        <message>
            <source>NIfTI labels (*.nii *.nii.gz)</source>
            <translation>NIfTI 标签 (*.nii *.nii.gz)</translation>
        </message>
        <message>
            <source>No level proposed</source>
            <translation>未生成建议层面</translation>
        </message>
        <message>
            <source>T12 touches the edge of the label volume: check the level</source>
            <translation>T12 触及标签容积边缘：请核对层面</translation>
        </message>
        <message>
            <source>Measurement not saved</source>
            <translation>测量未保存</translation>
        </message>
        <message>
            <source>Measurement saved</source>
            <translation>测量已保存</translation>
        </message>
        <message>
            <source>Not reviewed</source>
            <translation>未审核</translation>
        </message>
        <message>
            <source>Not locked</source>
            <translation>未锁定</translation>
        </message>
        <message>
            <source>Loading {0}…</source>
            <translation>正在加载 {0}…</translation>
        </message>
        <message>
            <source>Cancelled: nothing was stored.</source>
            <translation>已取消：未保存任何内容。</translation>
        </message>
        <message>
            <source>Reading file {0} of {1}…</source>
            <translation>正在读取第 {0} 个文件（共 {1} 个）…</translation>
        </message>
        <message>
            <source>Reading slice {0} of {1}…</source>
            <translation>正在读取第 {0} 层（共 {1} 层）…</translation>
        </message>
        <message>
            <source>CT series imported for {0}</source>
            <translation>已为 {0} 导入 CT 序列</translation>
        </message>
        <message>
            <source>Importing the CT series…</source>
            <translation>正在导入 CT 序列…</translation>
        </message>
    </context>
    <context>
        <name>ConsoleWindow</name>
        <message>
            <source>All raters with ratings</source>
            <translation>所有有评分的评分者</translation>
        </message>
        <message>
            <source>Raters who have finished</source>
            <translation>已完成的评分者</translation>
        </message>
        <message>
            <source>&amp;Raters:</source>
            <translation>评分者(&amp;R)：</translation>
        </message>
        <message>
            <source>Cases (kappa)</source>
            <translation>病例数（kappa）</translation>
        </message>
        <message>
            <source>All available data: {0}, {1} cases</source>
            <translation>全部可用数据：{0}，{1} 个病例</translation>
        </message>
        <message>
            <source>all data {0:.3f}</source>
            <translation>全部数据 {0:.3f}</translation>
        </message>
        <message>
            <source> ({0} cases dropped)</source>
            <translation>（剔除 {0} 个病例）</translation>
        </message>
        <message>
            <source>{0} with {1:g}% confidence intervals, first reads only (complete cases; &quot;all data&quot;: the all-available estimate where cases were dropped). {2}.</source>
            <translation>{0}，{1:g}% 置信区间，仅首次阅片（完整病例；“全部数据”：有病例被剔除时基于全部可用数据的估计）。{2}。</translation>
        </message>
        <message>
            <source>&amp;Outcomes</source>
            <translation>结局(&amp;O)</translation>
        </message>
        <message>
            <source>Ris&amp;k model</source>
            <translation>风险模型(&amp;K)</translation>
        </message>
        <message>
            <source>&amp;Plan reading…</source>
            <translation>规划阅片(&amp;P)…</translation>
        </message>
        <message>
            <source>Create or extend the reading plan and add re-reads after a washout</source>
            <translation>创建或扩展阅片计划，并在洗脱期后添加重复阅片</translation>
        </message>
        <message>
            <source>A&amp;udit trail</source>
            <translation>审计记录(&amp;U)</translation>
        </message>
        <message>
            <source>Settin&amp;gs</source>
            <translation>设置(&amp;G)</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>总分</translation>
        </message>
        <message>
            <source>mean of others</source>
            <translation>其他评分者均值</translation>
        </message>
        <message>
            <source>{0} {1:g} — {2}</source>
            <translation>{0} {1:g} — {2}</translation>
        </message>
        <message>
            <source>All raters</source>
            <translation>全部评分者</translation>
        </message>
        <message>
            <source>No re-reads yet: plan them with a washout (Study ▸ Plan reading…)</source>
            <translation>尚无重复阅片：请设置洗脱期进行规划（研究 ▸ 规划阅片…）</translation>
        </message>
        <message>
            <source>&amp;Training</source>
            <translation>培训(&amp;T)</translation>
        </message>
    </context>
    <context>
        <name>ConsoleWindow</name>
        <message>
            <source>Coordinator console — {0}</source>
            <translation>协调员控制台 — {0}</translation>
        </message>
        <message>
            <source>&amp;Progress</source>
            <translation>进度(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;Agreement</source>
            <translation>一致性(&amp;A)</translation>
        </message>
        <message>
            <source>P&amp;lots</source>
            <translation>图表(&amp;L)</translation>
        </message>
        <message>
            <source>&amp;Discordant cases</source>
            <translation>不一致病例(&amp;D)</translation>
        </message>
        <message>
            <source>&amp;Settings</source>
            <translation>设置(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Refresh</source>
            <translation>刷新(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Close</source>
            <translation>关闭(&amp;C)</translation>
        </message>
        <message>
            <source>&amp;Study</source>
            <translation>研究(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Export…</source>
            <translation>导出(&amp;E)…</translation>
        </message>
        <message>
            <source>Make &amp;report…</source>
            <translation>生成报告(&amp;R)…</translation>
        </message>
        <message>
            <source>F5 reads the study again</source>
            <translation>F5 重新读取研究</translation>
        </message>
        <message>
            <source>Rater</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Group</source>
            <translation>组别</translation>
        </message>
        <message>
            <source>Cases done</source>
            <translation>已完成病例</translation>
        </message>
        <message>
            <source>Progress</source>
            <translation>进度</translation>
        </message>
        <message>
            <source>Median s / case</source>
            <translation>每例中位秒数</translation>
        </message>
        <message>
            <source>Re-reads done</source>
            <translation>已完成重复阅片</translation>
        </message>
        <message>
            <source>Re-reads due now</source>
            <translation>当前应重复阅片</translation>
        </message>
        <message>
            <source>In washout</source>
            <translation>洗脱期中</translation>
        </message>
        <message>
            <source>Next re-read from</source>
            <translation>下次重复阅片时间</translation>
        </message>
        <message>
            <source>Raters</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>By rater group</source>
            <translation>按评分者组</translation>
        </message>
        <message>
            <source>Show the 10 &amp;items</source>
            <translation>显示 10 个条目(&amp;I)</translation>
        </message>
        <message>
            <source>ICC &amp;form:</source>
            <translation>ICC 形式(&amp;F)：</translation>
        </message>
        <message>
            <source>Healing status agreement</source>
            <translation>愈合状态一致性</translation>
        </message>
        <message>
            <source>Time point</source>
            <translation>时间点</translation>
        </message>
        <message>
            <source>Agreement</source>
            <translation>一致性</translation>
        </message>
        <message>
            <source>Fleiss' kappa</source>
            <translation>Fleiss kappa</translation>
        </message>
        <message>
            <source>Cases</source>
            <translation>病例</translation>
        </message>
        <message>
            <source>Test–retest (read 1 vs read 2), total</source>
            <translation>重测信度（第 1 次与第 2 次阅片），总分</translation>
        </message>
        <message>
            <source>ICC (CI)</source>
            <translation>ICC（置信区间）</translation>
        </message>
        <message>
            <source>&amp;Time point:</source>
            <translation>时间点(&amp;T)：</translation>
        </message>
        <message>
            <source>S&amp;core:</source>
            <translation>评分(&amp;C)：</translation>
        </message>
        <message>
            <source>&amp;Bland–Altman:</source>
            <translation>Bland–Altman(&amp;B)：</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>病例</translation>
        </message>
        <message>
            <source>Patient</source>
            <translation>患者</translation>
        </message>
        <message>
            <source>Median</source>
            <translation>中位数</translation>
        </message>
        <message>
            <source>Range</source>
            <translation>范围</translation>
        </message>
        <message>
            <source>Why discordant</source>
            <translation>不一致原因</translation>
        </message>
        <message>
            <source>Decided</source>
            <translation>已决定</translation>
        </message>
        <message>
            <source>&amp;Adjudicate…</source>
            <translation>裁定(&amp;A)…</translation>
        </message>
        <message>
            <source>Open the selected case with every rater's scores (Enter)</source>
            <translation>打开所选病例并显示所有评分者的评分（Enter）</translation>
        </message>
        <message>
            <source>Reading and analysis</source>
            <translation>阅片与分析</translation>
        </message>
        <message>
            <source>Raters may go back and correct the previous case</source>
            <translation>评分者可返回并修改上一病例</translation>
        </message>
        <message>
            <source>No going back: a submitted score is final</source>
            <translation>不可返回：提交的评分为最终评分</translation>
        </message>
        <message>
            <source>&amp;Edit policy:</source>
            <translation>修改策略(&amp;E)：</translation>
        </message>
        <message>
            <source> ms</source>
            <translation> 毫秒</translation>
        </message>
        <message>
            <source>&amp;Blank screen between cases:</source>
            <translation>病例间空屏(&amp;B)：</translation>
        </message>
        <message>
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <source>&amp;Washout before re-reads:</source>
            <translation>重复阅片前洗脱期(&amp;W)：</translation>
        </message>
        <message>
            <source> points</source>
            <translation> 分</translation>
        </message>
        <message>
            <source>Discordant when totals span &amp;more than:</source>
            <translation>总分差值大于此值视为不一致(&amp;M)：</translation>
        </message>
        <message>
            <source>Slow healing when the total is &amp;below:</source>
            <translation>总分低于此值视为愈合缓慢(&amp;B)：</translation>
        </message>
        <message>
            <source>Sa&amp;ve settings</source>
            <translation>保存设置(&amp;V)</translation>
        </message>
        <message>
            <source>Rater PINs</source>
            <translation>评分者 PIN 码</translation>
        </message>
        <message>
            <source>4 to 32 characters</source>
            <translation>4 至 32 个字符</translation>
        </message>
        <message>
            <source>R&amp;ater:</source>
            <translation>评分者(&amp;A)：</translation>
        </message>
        <message>
            <source>New &amp;PIN:</source>
            <translation>新 PIN 码(&amp;P)：</translation>
        </message>
        <message>
            <source>Set PIN</source>
            <translation>设置 PIN 码</translation>
        </message>
        <message>
            <source>Remove PIN</source>
            <translation>删除 PIN 码</translation>
        </message>
        <message>
            <source>Cannot read the study</source>
            <translation>无法读取研究</translation>
        </message>
        <message>
            <source>{0} raters · {1} first reads of {2} cases · {3} re-reads · {4} unreadable</source>
            <translation>{0} 名评分者 · {2} 个病例的 {1} 次首次阅片 · {3} 次重复阅片 · {4} 次无法评估</translation>
        </message>
        <message>
            <source>{0}: {1} cases x {2} raters</source>
            <translation>{0}：{1} 个病例 × {2} 名评分者</translation>
        </message>
        <message>
            <source>{0} with {1:g}% confidence intervals, first reads only (complete cases). {2}.</source>
            <translation>{0}，{1:g}% 置信区间，仅首次阅片（完整病例）。{2}。</translation>
        </message>
        <message>
            <source>Pooled</source>
            <translation>合并</translation>
        </message>
        <message>
            <source>No re-reads yet: plan them with a washout (Settings)</source>
            <translation>尚无重复阅片：请设置洗脱期后安排（设置）</translation>
        </message>
        <message>
            <source>{0} vs {1}</source>
            <translation>{0} 对比 {1}</translation>
        </message>
        <message>
            <source>{0} discordant case(s), {1} not yet decided: totals spanning more than {2:g} points, or raters split on slow healing (total below {3:g}). Select a case and press Enter to adjudicate.</source>
            <translation>{0} 个不一致病例，{1} 个尚未决定：总分差值超过 {2:g} 分，或评分者对愈合缓慢（总分低于 {3:g}）判断不一。选择病例后按 Enter 进行裁定。</translation>
        </message>
        <message>
            <source>not yet</source>
            <translation>尚未</translation>
        </message>
        <message>
            <source>Consensus of {0} recorded</source>
            <translation>已记录 {0} 的共识</translation>
        </message>
        <message>
            <source>Cannot save the settings</source>
            <translation>无法保存设置</translation>
        </message>
        <message>
            <source>Settings saved</source>
            <translation>设置已保存</translation>
        </message>
        <message>
            <source>Cannot change the PIN</source>
            <translation>无法更改 PIN 码</translation>
        </message>
        <message>
            <source>PIN of {0} set</source>
            <translation>已设置 {0} 的 PIN 码</translation>
        </message>
        <message>
            <source>PIN of {0} removed</source>
            <translation>已删除 {0} 的 PIN 码</translation>
        </message>
        <message>
            <source>Exported to {0}</source>
            <translation>已导出到 {0}</translation>
        </message>
        <message>
            <source>Report written to {0}</source>
            <translation>报告已写入 {0}</translation>
        </message>
    </context>
    <context>
        <name>DistributionPlot</name>
        <message>
            <source>Totals by rater, {0}</source>
            <translation>各评分者总分，{0}</translation>
        </message>
        <message>
            <source>RUSH total</source>
            <translation>RUSH 总分</translation>
        </message>
        <message>
            <source>Share of the rater's cases (%)</source>
            <translation>占该评分者病例的比例（%）</translation>
        </message>
        <message>
            <source>slow healing &lt; {0:g}</source>
            <translation>愈合缓慢 &lt; {0:g}</translation>
        </message>
    </context>
    <context>
        <name>EnrolRaterDialog</name>
        <message>
            <source>Enrol rater</source>
            <translation>登记评分者</translation>
        </message>
        <message>
            <source>e.g. Dr Jane Smith</source>
            <translation>例如：张伟 医生</translation>
        </message>
        <message>
            <source>e.g. resident or attending</source>
            <translation>例如：住院医师或主治医师</translation>
        </message>
        <message>
            <source>automatic (next free R01, R02, …)</source>
            <translation>自动（下一个可用的 R01、R02…）</translation>
        </message>
        <message>
            <source>&amp;Name:</source>
            <translation>姓名(&amp;N)：</translation>
        </message>
        <message>
            <source>&amp;Group:</source>
            <translation>组别(&amp;G)：</translation>
        </message>
        <message>
            <source>&amp;Code:</source>
            <translation>编号(&amp;C)：</translation>
        </message>
        <message>
            <source>Raters in the same group are compared with each other; a new group is made if needed.</source>
            <translation>同组评分者相互比较；如需要会新建组别。</translation>
        </message>
        <message>
            <source>&amp;Enrol</source>
            <translation>登记(&amp;E)</translation>
        </message>
        <message>
            <source>Cannot enrol the rater</source>
            <translation>无法登记评分者</translation>
        </message>
    </context>
    <context>
        <name>ForestPlot</name>
        <message>
            <source>{0} of {1} with {2:g}% CI</source>
            <extracomment>Koo &amp; Li (2016) boundaries drawn as guides: poor &lt; 0.5 &lt;= moderate &lt; 0.75 &lt;= good &lt; 0.9 &lt;= excellent.</extracomment>
            <translation>{1}的 {0}，{2:g}% 置信区间</translation>
        </message>
        <message>
            <source>ICC</source>
            <translation>ICC</translation>
        </message>
    </context>
    <context>
        <name>ImageViewer</name>
        <message>
            <source>Bone</source>
            <translation>骨窗</translation>
        </message>
        <message>
            <source>Automatic</source>
            <translation>自动</translation>
        </message>
        <message>
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message>
            <source>Custom</source>
            <translation>自定义</translation>
        </message>
        <message>
            <source>File window {0}</source>
            <translation>文件窗 {0}</translation>
        </message>
        <message>
            <source>File VOI LUT {0}</source>
            <translation>文件 VOI LUT {0}</translation>
        </message>
        <message>
            <source>W {width:.0f}  L {center:.0f}</source>
            <translation>窗宽 {width:.0f}  窗位 {center:.0f}</translation>
        </message>
        <message>
            <source>  inverted</source>
            <translation>  反相</translation>
        </message>
        <message>
            <source>Full range</source>
            <translation>全范围</translation>
        </message>
    </context>
    <context>
        <name>ImportWindow</name>
        <message>
            <source>Import radiographs — %1</source>
            <translation>导入 X 线片 — %1</translation>
        </message>
        <message>
            <source>Import report</source>
            <translation>导入报告</translation>
        </message>
        <message>
            <source>Images, assignment and redaction</source>
            <translation>图像、分配与遮盖</translation>
        </message>
        <message>
            <source>Import from folders</source>
            <translation>从文件夹导入</translation>
        </message>
        <message>
            <source>Folders and files to import; folders are searched with their subfolders</source>
            <translation>要导入的文件夹和文件；文件夹会连同子文件夹一起搜索</translation>
        </message>
        <message>
            <source>Add &amp;folder…</source>
            <translation>添加文件夹(&amp;F)…</translation>
        </message>
        <message>
            <source>Re&amp;move</source>
            <translation>移除(&amp;M)</translation>
        </message>
        <message>
            <source>A CSV outside the study folder, e.g. on the coordinator's encrypted drive</source>
            <translation>研究文件夹之外的 CSV 文件，例如协调员的加密磁盘上</translation>
        </message>
        <message>
            <source>Choose…</source>
            <translation>选择…</translation>
        </message>
        <message>
            <source>&amp;Key file:</source>
            <translation>密钥文件(&amp;K)：</translation>
        </message>
        <message>
            <source>&amp;Import</source>
            <translation>导入(&amp;I)</translation>
        </message>
        <message>
            <source>%v of %m files</source>
            <translation>%v / %m 个文件</translation>
        </message>
        <message>
            <source>Add the folder PACS exported to, choose the key file, then Import.</source>
            <translation>添加 PACS 导出的文件夹，选择密钥文件，然后点击“导入”。</translation>
        </message>
        <message>
            <source>No import in this window yet.</source>
            <translation>此窗口中尚未导入。</translation>
        </message>
        <message>
            <source>Assign the selected image</source>
            <translation>分配所选图像</translation>
        </message>
        <message>
            <source>Why:</source>
            <translation>原因：</translation>
        </message>
        <message>
            <source>An existing patient code, or type a new pseudonymous code</source>
            <translation>已有的患者编号，或输入新的假名编号</translation>
        </message>
        <message>
            <source>AP</source>
            <translation>正位</translation>
        </message>
        <message>
            <source>Lateral</source>
            <translation>侧位</translation>
        </message>
        <message>
            <source>&amp;Patient:</source>
            <translation>患者(&amp;P)：</translation>
        </message>
        <message>
            <source>&amp;Time point:</source>
            <translation>时间点(&amp;T)：</translation>
        </message>
        <message>
            <source>&amp;View:</source>
            <translation>体位(&amp;V)：</translation>
        </message>
        <message>
            <source>&amp;Assign</source>
            <translation>分配(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Discard…</source>
            <translation>丢弃(&amp;D)…</translation>
        </message>
        <message>
            <source>Draw a rectangle over burned-in text (names, dates, hospital), then mask it. Masking is permanent.</source>
            <translation>在烧录文字（姓名、日期、医院）上画矩形，然后遮盖。遮盖不可撤销。</translation>
        </message>
        <message>
            <source>Add &amp;rectangle</source>
            <translation>添加矩形(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Mask on this image</source>
            <translation>遮盖此图像(&amp;M)</translation>
        </message>
        <message>
            <source>Mask on every image of this device and &amp;size</source>
            <translation>遮盖此设备和尺寸的所有图像(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Clear drawn</source>
            <translation>清除已画矩形(&amp;C)</translation>
        </message>
        <message>
            <source>Folder of exported radiographs</source>
            <translation>导出的 X 线片所在文件夹</translation>
        </message>
        <message>
            <source>Key file (keep it apart from the study)</source>
            <translation>密钥文件（与研究分开保存）</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>Nothing to import</source>
            <translation>没有可导入的内容</translation>
        </message>
        <message>
            <source>Key file needed</source>
            <translation>需要密钥文件</translation>
        </message>
        <message>
            <source>Reading, de-identifying and storing…</source>
            <translation>正在读取、去标识化并存储…</translation>
        </message>
        <message>
            <source>Done. The blinding check found no identifier in the study.</source>
            <translation>完成。盲法检查未在研究中发现任何身份标识。</translation>
        </message>
        <message>
            <source>The import stopped; nothing of it was stored.</source>
            <translation>导入已中止；未存储任何内容。</translation>
        </message>
        <message>
            <source>Import failed</source>
            <translation>导入失败</translation>
        </message>
        <message>
            <source>item %1</source>
            <translation>第 %1 项</translation>
        </message>
        <message>
            <source>%1 imported · %2 need assignment · %3 skipped · %4 rejected. A copy is kept in the study's reports folder.</source>
            <translation>已导入 %1 · 待分配 %2 · 跳过 %3 · 拒绝 %4。副本保存在研究的 reports 文件夹中。</translation>
        </message>
        <message>
            <source>needs assignment</source>
            <translation>待分配</translation>
        </message>
        <message>
            <source>in case</source>
            <translation>所属病例</translation>
        </message>
        <message>
            <source>Cannot show the image</source>
            <translation>无法显示图像</translation>
        </message>
        <message>
            <source>Cannot assign</source>
            <translation>无法分配</translation>
        </message>
        <message>
            <source>Discard image</source>
            <translation>丢弃图像</translation>
        </message>
        <message>
            <source>Remove item %1 from the study? It is not part of any case.</source>
            <translation>从研究中移除第 %1 项？它不属于任何病例。</translation>
        </message>
        <message>
            <source>Cannot discard</source>
            <translation>无法丢弃</translation>
        </message>
        <message>
            <source>Cannot mask</source>
            <translation>无法遮盖</translation>
        </message>
        <message>
            <source>Template saved for %1; %2 image(s) masked. Later imports are masked too.</source>
            <translation>已为 %1 保存模板；已遮盖 %2 幅图像。之后导入的图像也会被遮盖。</translation>
        </message>
        <message>
            <source>Add fi&amp;les…</source>
            <translation>添加文件(&amp;L)…</translation>
        </message>
        <message>
            <source>R&amp;emove</source>
            <translation>移除(&amp;E)</translation>
        </message>
        <message>
            <source>Exported radiographs</source>
            <translation>导出的 X 线片</translation>
        </message>
        <message>
            <source>Radiographs (*.dcm *.DCM *.dicom *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)</source>
            <translation>X 线片 (*.dcm *.DCM *.dicom *.png *.jpg *.jpeg *.tif *.tiff);;所有文件 (*)</translation>
        </message>
        <message>
            <source>Item %1 assigned: %2, %3, %4 (case %5).</source>
            <translation>第 %1 项已分配：%2，%3，%4（病例 %5）。</translation>
        </message>
        <message>
            <source>Mask permanently</source>
            <translation>永久遮盖</translation>
        </message>
        <message>
            <source>The pixels under the rectangles are replaced in the stored image; this cannot be undone.</source>
            <translation>矩形框下的像素将在存储的图像中被替换；此操作无法撤销。</translation>
        </message>
        <message>
            <source>&amp;Mask</source>
            <translation>遮盖(&amp;M)</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
        <message>
            <source>RUSH Rater — start reading</source>
            <translation>RUSH 评分系统 — 开始阅片</translation>
        </message>
        <message>
            <source>Who is reading?</source>
            <translation>谁在阅片？</translation>
        </message>
        <message>
            <source>Open another study…</source>
            <translation>打开其他研究…</translation>
        </message>
        <message>
            <source>Study</source>
            <translation>研究</translation>
        </message>
        <message>
            <source>PIN</source>
            <translation>PIN 码</translation>
        </message>
        <message>
            <source>Your PIN</source>
            <translation>您的 PIN 码</translation>
        </message>
        <message>
            <source>Your name</source>
            <translation>您的姓名</translation>
        </message>
        <message>
            <source>Start reading</source>
            <translation>开始阅片</translation>
        </message>
        <message>
            <source>Open a study folder</source>
            <translation>打开研究文件夹</translation>
        </message>
        <message>
            <source>{0} of {1} done</source>
            <translation>已完成 {0} / {1}</translation>
        </message>
    </context>
    <context>
        <name>NewStudyDialog</name>
        <message>
            <source>New study</source>
            <extracomment>what ``create`` returned, once the dialog is accepted</extracomment>
            <translation>新建研究</translation>
        </message>
        <message>
            <source>A new or empty folder</source>
            <translation>新建或空的文件夹</translation>
        </message>
        <message>
            <source>&amp;Browse…</source>
            <translation>浏览(&amp;B)…</translation>
        </message>
        <message>
            <source>e.g. Hip fracture healing 2026</source>
            <translation>例如：2026 髋部骨折愈合研究</translation>
        </message>
        <message>
            <source>&amp;Folder:</source>
            <translation>文件夹(&amp;F)：</translation>
        </message>
        <message>
            <source>The study keeps its database, de-identified images and reports in this folder.</source>
            <translation>研究的数据库、去标识化图像和报告都保存在此文件夹中。</translation>
        </message>
        <message>
            <source>&amp;Title:</source>
            <translation>标题(&amp;T)：</translation>
        </message>
        <message>
            <source>T&amp;ime points:</source>
            <translation>时间点(&amp;I)：</translation>
        </message>
        <message>
            <source>&amp;Create study</source>
            <translation>创建研究(&amp;C)</translation>
        </message>
        <message>
            <source>Choose a new or empty folder for the study</source>
            <translation>为研究选择新建或空的文件夹</translation>
        </message>
        <message>
            <source>Not valid: {0}</source>
            <translation>无效：{0}</translation>
        </message>
        <message>
            <source>In order, comma-separated. Reads as: {0}</source>
            <translation>按顺序，以逗号分隔。读作：{0}</translation>
        </message>
        <message>
            <source>Cannot create the study</source>
            <translation>无法创建研究</translation>
        </message>
    </context>
    <context>
        <name>OpenDatabaseDialog</name>
        <message>
            <source>Open a database study</source>
            <translation>打开数据库研究</translation>
        </message>
        <message>
            <source>A study shared by several hospitals lives on a PostgreSQL server. Type its address as your coordinator gave it, and your database password.</source>
            <translation>多家医院共享的研究保存在 PostgreSQL 服务器上。请输入协调员提供的地址和您的数据库密码。</translation>
        </message>
        <message>
            <source>leave empty if PGPASSWORD or ~/.pgpass holds it</source>
            <translation>如 PGPASSWORD 或 ~/.pgpass 中已有密码，可留空</translation>
        </message>
        <message>
            <source>&amp;Address:</source>
            <translation>地址(&amp;A)：</translation>
        </message>
        <message>
            <source>&amp;Password:</source>
            <translation>密码(&amp;P)：</translation>
        </message>
    </context>
    <context>
        <name>OutputDialog</name>
        <message>
            <source>Export the study</source>
            <extracomment>the paths written, once the dialog is accepted</extracomment>
            <translation>导出研究</translation>
        </message>
        <message>
            <source>CSV, long: one row per rating (every version) + consensus + codebook</source>
            <translation>CSV 长格式：每次评分（所有版本）一行 + 共识 + 编码手册</translation>
        </message>
        <message>
            <source>CSV, wide: one row per case with each rater's total</source>
            <translation>CSV 宽格式：每个病例一行，含各评分者总分</translation>
        </message>
        <message>
            <source>SPSS data file (.sav) with variable and value labels</source>
            <translation>SPSS 数据文件（.sav），含变量和值标签</translation>
        </message>
        <message>
            <source>Stata data file (.dta) with variable and value labels</source>
            <translation>Stata 数据文件（.dta），含变量和值标签</translation>
        </message>
        <message>
            <source>Excel workbook: a sheet per table and a codebook</source>
            <translation>Excel 工作簿：每个表一个工作表，另含编码手册</translation>
        </message>
        <message>
            <source>R folder: CSVs + analysis.R (psych::ICC)</source>
            <translation>R 文件夹：CSV + analysis.R（psych::ICC）</translation>
        </message>
        <message>
            <source>SPSS folder: .sav + analysis.sps (RELIABILITY /ICC)</source>
            <translation>SPSS 文件夹：.sav + analysis.sps（RELIABILITY /ICC）</translation>
        </message>
        <message>
            <source>Stata folder: .dta + analysis.do (icc)</source>
            <translation>Stata 文件夹：.dta + analysis.do（icc）</translation>
        </message>
        <message>
            <source>Make the reliability report</source>
            <translation>生成信度报告</translation>
        </message>
        <message>
            <source>PDF document</source>
            <translation>PDF 文档</translation>
        </message>
        <message>
            <source>Web page (self-contained HTML)</source>
            <translation>网页（独立 HTML）</translation>
        </message>
        <message>
            <source>&amp;Browse…</source>
            <translation>浏览(&amp;B)…</translation>
        </message>
        <message>
            <source>&amp;Replace it if it already exists</source>
            <translation>如已存在则替换(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Format:</source>
            <translation>格式(&amp;F)：</translation>
        </message>
        <message>
            <source>&amp;Save as:</source>
            <translation>另存为(&amp;S)：</translation>
        </message>
        <message>
            <source>&amp;Export</source>
            <translation>导出(&amp;E)</translation>
        </message>
        <message>
            <source>&amp;Make report</source>
            <translation>生成报告(&amp;M)</translation>
        </message>
        <message>
            <source>A new folder is created with the data, a codebook and the analysis script.</source>
            <translation>将新建一个文件夹，包含数据、编码手册和分析脚本。</translation>
        </message>
        <message>
            <source>A codebook (and, where it applies, the consensus table) is written beside it.</source>
            <translation>编码手册（以及适用时的共识表）会写在其旁边。</translation>
        </message>
        <message>
            <source>Design, completeness, ICC tables with the Koo &amp; Li reading, item agreement, Bland–Altman plots, consensus, software and a methods paragraph.</source>
            <translation>研究设计、完整性、按 Koo 与 Li 标准解读的 ICC 表、条目一致性、Bland–Altman 图、共识、软件以及方法学段落。</translation>
        </message>
        <message>
            <source>Name the new folder</source>
            <translation>命名新文件夹</translation>
        </message>
        <message>
            <source>Save as</source>
            <translation>另存为</translation>
        </message>
        <message>
            <source>Cannot write it</source>
            <translation>无法写入</translation>
        </message>
        <message>
            <source>ICC f&amp;orm:</source>
            <translation>ICC 形式(&amp;O)：</translation>
        </message>
        <message>
            <source>Computing the agreement statistics…</source>
            <translation>正在计算一致性统计量…</translation>
        </message>
        <message>
            <source>Writing the document…</source>
            <translation>正在写入文档…</translation>
        </message>
    </context>
    <context>
        <name>QMessageBox</name>
        <message>
            <source>Cannot open the coordinator console</source>
            <translation>无法打开协调员控制台</translation>
        </message>
    </context>
    <context>
        <name>RaterTableModel</name>
        <message>
            <source>Code</source>
            <extracomment>Role giving a value to sort on (numbers as numbers). Role giving the percentage done (0-100) for the progress column, else ``None``.</extracomment>
            <translation>编号</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Group</source>
            <translation>组别</translation>
        </message>
        <message>
            <source>Read</source>
            <translation>已读</translation>
        </message>
        <message>
            <source>Left</source>
            <translation>剩余</translation>
        </message>
        <message>
            <source>Re-reads</source>
            <translation>重复阅片</translation>
        </message>
        <message>
            <source>Progress</source>
            <translation>进度</translation>
        </message>
        <message>
            <source>Rater code, used on the reading workstation</source>
            <translation>评分者编号，在阅片工作站上使用</translation>
        </message>
        <message>
            <source>Rater group, e.g. resident or attending</source>
            <translation>评分者组别，例如住院医师或主治医师</translation>
        </message>
        <message>
            <source>Cases read / cases on the rater's reading list</source>
            <translation>已读病例 / 评分者阅片列表中的病例</translation>
        </message>
        <message>
            <source>Cases still to read</source>
            <translation>尚待阅片的病例</translation>
        </message>
        <message>
            <source>Repeat readings (for intra-rater agreement) read / planned</source>
            <translation>重复阅片（用于评分者内一致性）已读 / 计划</translation>
        </message>
        <message>
            <source>Share of the reading list done</source>
            <translation>阅片列表完成比例</translation>
        </message>
        <message>
            <source>No reading list yet: plan the reading to give this rater a list.</source>
            <translation>尚无阅片列表：请安排阅片计划为该评分者生成列表。</translation>
        </message>
        <message>
            <source>{0} of {1} cases read; {2} left</source>
            <translation>已读 {0} / {1} 个病例；剩余 {2} 个</translation>
        </message>
        <message>
            <source>{0} / {1}</source>
            <translation>{0} / {1}</translation>
        </message>
        <message>
            <source>no list yet</source>
            <translation>尚无列表</translation>
        </message>
        <message>
            <source>{0} %</source>
            <translation>{0}%</translation>
        </message>
    </context>
    <context>
        <name>ReasonDialog</name>
        <message>
            <source>In your own words…</source>
            <translation>请用您自己的话说明…</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>理由</translation>
        </message>
    </context>
    <context>
        <name>Rubric</name>
        <message>
            <source>Cortical bridging — medial</source>
            <comment>bridging_medial.label</comment>
            <translation>皮质骨桥接 — 内侧</translation>
        </message>
        <message>
            <source>Medial cortex · Bridging</source>
            <comment>bridging_medial.short</comment>
            <translation>内侧皮质 · 骨桥接</translation>
        </message>
        <message>
            <source>Callus or new bone crossing the fracture at the medial cortex (AP view). 1 = no bridging; 2 = bridging callus present but incomplete (gap still visible through the callus); 3 = complete bridging, continuous bone across the fracture.</source>
            <comment>bridging_medial.definition</comment>
            <translation>内侧皮质（正位片）处跨越骨折的骨痂或新生骨。1 = 无骨桥接；2 = 有桥接骨痂但不完全（骨痂间仍可见间隙）；3 = 完全骨桥接，骨折处骨质连续。</translation>
        </message>
        <message>
            <source>No bridging</source>
            <comment>bridging_medial.level1</comment>
            <translation>无骨桥接</translation>
        </message>
        <message>
            <source>Partial bridging</source>
            <comment>bridging_medial.level2</comment>
            <translation>部分骨桥接</translation>
        </message>
        <message>
            <source>Complete bridging</source>
            <comment>bridging_medial.level3</comment>
            <translation>完全骨桥接</translation>
        </message>
        <message>
            <source>Cortical fracture line — medial</source>
            <comment>fxline_medial.label</comment>
            <translation>皮质骨折线 — 内侧</translation>
        </message>
        <message>
            <source>Medial cortex · Fracture line</source>
            <comment>fxline_medial.short</comment>
            <translation>内侧皮质 · 骨折线</translation>
        </message>
        <message>
            <source>Visibility of the fracture line through the medial cortex (AP view). 1 = fracture line fully visible; 2 = fracture line partly visible (partly gone); 3 = fracture line no longer visible (completely gone).</source>
            <comment>fxline_medial.definition</comment>
            <translation>内侧皮质（正位片）处骨折线的可见程度。1 = 骨折线完全可见；2 = 骨折线部分可见（部分消失）；3 = 骨折线不再可见（完全消失）。</translation>
        </message>
        <message>
            <source>Line fully visible</source>
            <comment>fxline_medial.level1</comment>
            <translation>骨折线完全可见</translation>
        </message>
        <message>
            <source>Line partly gone</source>
            <comment>fxline_medial.level2</comment>
            <translation>骨折线部分消失</translation>
        </message>
        <message>
            <source>Line completely gone</source>
            <comment>fxline_medial.level3</comment>
            <translation>骨折线完全消失</translation>
        </message>
        <message>
            <source>Cortical bridging — lateral</source>
            <comment>bridging_lateral.label</comment>
            <translation>皮质骨桥接 — 外侧</translation>
        </message>
        <message>
            <source>Lateral cortex · Bridging</source>
            <comment>bridging_lateral.short</comment>
            <translation>外侧皮质 · 骨桥接</translation>
        </message>
        <message>
            <source>Callus or new bone crossing the fracture at the lateral cortex (AP view). 1 = no bridging; 2 = bridging callus present but incomplete (gap still visible through the callus); 3 = complete bridging, continuous bone across the fracture.</source>
            <comment>bridging_lateral.definition</comment>
            <translation>外侧皮质（正位片）处跨越骨折的骨痂或新生骨。1 = 无骨桥接；2 = 有桥接骨痂但不完全（骨痂间仍可见间隙）；3 = 完全骨桥接，骨折处骨质连续。</translation>
        </message>
        <message>
            <source>No bridging</source>
            <comment>bridging_lateral.level1</comment>
            <translation>无骨桥接</translation>
        </message>
        <message>
            <source>Partial bridging</source>
            <comment>bridging_lateral.level2</comment>
            <translation>部分骨桥接</translation>
        </message>
        <message>
            <source>Complete bridging</source>
            <comment>bridging_lateral.level3</comment>
            <translation>完全骨桥接</translation>
        </message>
        <message>
            <source>Cortical fracture line — lateral</source>
            <comment>fxline_lateral.label</comment>
            <translation>皮质骨折线 — 外侧</translation>
        </message>
        <message>
            <source>Lateral cortex · Fracture line</source>
            <comment>fxline_lateral.short</comment>
            <translation>外侧皮质 · 骨折线</translation>
        </message>
        <message>
            <source>Visibility of the fracture line through the lateral cortex (AP view). 1 = fracture line fully visible; 2 = fracture line partly visible (partly gone); 3 = fracture line no longer visible (completely gone).</source>
            <comment>fxline_lateral.definition</comment>
            <translation>外侧皮质（正位片）处骨折线的可见程度。1 = 骨折线完全可见；2 = 骨折线部分可见（部分消失）；3 = 骨折线不再可见（完全消失）。</translation>
        </message>
        <message>
            <source>Line fully visible</source>
            <comment>fxline_lateral.level1</comment>
            <translation>骨折线完全可见</translation>
        </message>
        <message>
            <source>Line partly gone</source>
            <comment>fxline_lateral.level2</comment>
            <translation>骨折线部分消失</translation>
        </message>
        <message>
            <source>Line completely gone</source>
            <comment>fxline_lateral.level3</comment>
            <translation>骨折线完全消失</translation>
        </message>
        <message>
            <source>Cortical bridging — anterior</source>
            <comment>bridging_anterior.label</comment>
            <translation>皮质骨桥接 — 前侧</translation>
        </message>
        <message>
            <source>Anterior cortex · Bridging</source>
            <comment>bridging_anterior.short</comment>
            <translation>前侧皮质 · 骨桥接</translation>
        </message>
        <message>
            <source>Callus or new bone crossing the fracture at the anterior cortex (lateral view). 1 = no bridging; 2 = bridging callus present but incomplete (gap still visible through the callus); 3 = complete bridging, continuous bone across the fracture.</source>
            <comment>bridging_anterior.definition</comment>
            <translation>前侧皮质（侧位片）处跨越骨折的骨痂或新生骨。1 = 无骨桥接；2 = 有桥接骨痂但不完全（骨痂间仍可见间隙）；3 = 完全骨桥接，骨折处骨质连续。</translation>
        </message>
        <message>
            <source>No bridging</source>
            <comment>bridging_anterior.level1</comment>
            <translation>无骨桥接</translation>
        </message>
        <message>
            <source>Partial bridging</source>
            <comment>bridging_anterior.level2</comment>
            <translation>部分骨桥接</translation>
        </message>
        <message>
            <source>Complete bridging</source>
            <comment>bridging_anterior.level3</comment>
            <translation>完全骨桥接</translation>
        </message>
        <message>
            <source>Cortical fracture line — anterior</source>
            <comment>fxline_anterior.label</comment>
            <translation>皮质骨折线 — 前侧</translation>
        </message>
        <message>
            <source>Anterior cortex · Fracture line</source>
            <comment>fxline_anterior.short</comment>
            <translation>前侧皮质 · 骨折线</translation>
        </message>
        <message>
            <source>Visibility of the fracture line through the anterior cortex (lateral view). 1 = fracture line fully visible; 2 = fracture line partly visible (partly gone); 3 = fracture line no longer visible (completely gone).</source>
            <comment>fxline_anterior.definition</comment>
            <translation>前侧皮质（侧位片）处骨折线的可见程度。1 = 骨折线完全可见；2 = 骨折线部分可见（部分消失）；3 = 骨折线不再可见（完全消失）。</translation>
        </message>
        <message>
            <source>Line fully visible</source>
            <comment>fxline_anterior.level1</comment>
            <translation>骨折线完全可见</translation>
        </message>
        <message>
            <source>Line partly gone</source>
            <comment>fxline_anterior.level2</comment>
            <translation>骨折线部分消失</translation>
        </message>
        <message>
            <source>Line completely gone</source>
            <comment>fxline_anterior.level3</comment>
            <translation>骨折线完全消失</translation>
        </message>
        <message>
            <source>Cortical bridging — posterior</source>
            <comment>bridging_posterior.label</comment>
            <translation>皮质骨桥接 — 后侧</translation>
        </message>
        <message>
            <source>Posterior cortex · Bridging</source>
            <comment>bridging_posterior.short</comment>
            <translation>后侧皮质 · 骨桥接</translation>
        </message>
        <message>
            <source>Callus or new bone crossing the fracture at the posterior cortex (lateral view). 1 = no bridging; 2 = bridging callus present but incomplete (gap still visible through the callus); 3 = complete bridging, continuous bone across the fracture.</source>
            <comment>bridging_posterior.definition</comment>
            <translation>后侧皮质（侧位片）处跨越骨折的骨痂或新生骨。1 = 无骨桥接；2 = 有桥接骨痂但不完全（骨痂间仍可见间隙）；3 = 完全骨桥接，骨折处骨质连续。</translation>
        </message>
        <message>
            <source>No bridging</source>
            <comment>bridging_posterior.level1</comment>
            <translation>无骨桥接</translation>
        </message>
        <message>
            <source>Partial bridging</source>
            <comment>bridging_posterior.level2</comment>
            <translation>部分骨桥接</translation>
        </message>
        <message>
            <source>Complete bridging</source>
            <comment>bridging_posterior.level3</comment>
            <translation>完全骨桥接</translation>
        </message>
        <message>
            <source>Cortical fracture line — posterior</source>
            <comment>fxline_posterior.label</comment>
            <translation>皮质骨折线 — 后侧</translation>
        </message>
        <message>
            <source>Posterior cortex · Fracture line</source>
            <comment>fxline_posterior.short</comment>
            <translation>后侧皮质 · 骨折线</translation>
        </message>
        <message>
            <source>Visibility of the fracture line through the posterior cortex (lateral view). 1 = fracture line fully visible; 2 = fracture line partly visible (partly gone); 3 = fracture line no longer visible (completely gone).</source>
            <comment>fxline_posterior.definition</comment>
            <translation>后侧皮质（侧位片）处骨折线的可见程度。1 = 骨折线完全可见；2 = 骨折线部分可见（部分消失）；3 = 骨折线不再可见（完全消失）。</translation>
        </message>
        <message>
            <source>Line fully visible</source>
            <comment>fxline_posterior.level1</comment>
            <translation>骨折线完全可见</translation>
        </message>
        <message>
            <source>Line partly gone</source>
            <comment>fxline_posterior.level2</comment>
            <translation>骨折线部分消失</translation>
        </message>
        <message>
            <source>Line completely gone</source>
            <comment>fxline_posterior.level3</comment>
            <translation>骨折线完全消失</translation>
        </message>
        <message>
            <source>Trabecular consolidation</source>
            <comment>trab_consolidation.label</comment>
            <translation>骨小梁愈合</translation>
        </message>
        <message>
            <source>Trabecular bone formation across the fracture in the intertrochanteric / femoral-neck region, judged on both views. 1 = no consolidation; 2 = partial consolidation; 3 = complete consolidation.</source>
            <comment>trab_consolidation.definition</comment>
            <translation>转子间 / 股骨颈区域跨越骨折的骨小梁形成，结合两个体位判断。1 = 无愈合；2 = 部分愈合；3 = 完全愈合。</translation>
        </message>
        <message>
            <source>No consolidation</source>
            <comment>trab_consolidation.level1</comment>
            <translation>无骨小梁愈合</translation>
        </message>
        <message>
            <source>Partial consolidation</source>
            <comment>trab_consolidation.level2</comment>
            <translation>部分骨小梁愈合</translation>
        </message>
        <message>
            <source>Complete consolidation</source>
            <comment>trab_consolidation.level3</comment>
            <translation>完全骨小梁愈合</translation>
        </message>
        <message>
            <source>Trabecular fracture line</source>
            <comment>trab_fxline.label</comment>
            <translation>骨小梁骨折线</translation>
        </message>
        <message>
            <source>Visibility of the fracture line through the trabecular bone, judged on both views. 1 = line visible; 2 = line partly gone; 3 = line gone.</source>
            <comment>trab_fxline.definition</comment>
            <translation>骨小梁内骨折线的可见程度，结合两个体位判断。1 = 骨折线可见；2 = 骨折线部分消失；3 = 骨折线消失。</translation>
        </message>
        <message>
            <source>Line visible</source>
            <comment>trab_fxline.level1</comment>
            <translation>骨折线可见</translation>
        </message>
        <message>
            <source>Line partly gone</source>
            <comment>trab_fxline.level2</comment>
            <translation>骨折线部分消失</translation>
        </message>
        <message>
            <source>Line gone</source>
            <comment>trab_fxline.level3</comment>
            <translation>骨折线消失</translation>
        </message>
        <message>
            <source>Cortical bridging (4 cortices)</source>
            <comment>cortical_bridging.label</comment>
            <translation>皮质骨桥接（4 处皮质）</translation>
        </message>
        <message>
            <source>Cortical fracture-line disappearance (4 cortices)</source>
            <comment>cortical_fracture_line.label</comment>
            <translation>皮质骨折线消失（4 处皮质）</translation>
        </message>
        <message>
            <source>Trabecular consolidation</source>
            <comment>trabecular_consolidation.label</comment>
            <translation>骨小梁愈合</translation>
        </message>
        <message>
            <source>Trabecular fracture-line disappearance</source>
            <comment>trabecular_fracture_line.label</comment>
            <translation>骨小梁骨折线消失</translation>
        </message>
        <message>
            <source>Radiographic Union Score for Hip (RUSH)</source>
            <comment>RUSH.name</comment>
            <translation>髋部影像学愈合评分（RUSH）</translation>
        </message>
    </context>
    <context>
        <name>ScoringPanel</name>
        <message>
            <source>AP view — medial and lateral cortex</source>
            <translation>正位片 — 内侧和外侧皮质</translation>
        </message>
        <message>
            <source>Lateral view — anterior and posterior cortex</source>
            <translation>侧位片 — 前侧和后侧皮质</translation>
        </message>
        <message>
            <source>Trabecular bone — both views</source>
            <translation>骨小梁 — 两个体位</translation>
        </message>
    </context>
    <context>
        <name>StartPage</name>
        <message>
            <source>&amp;New study…</source>
            <translation>新建研究(&amp;N)…</translation>
        </message>
        <message>
            <source>&amp;Open study…</source>
            <translation>打开研究(&amp;O)…</translation>
        </message>
        <message>
            <source>Open &amp;demo study</source>
            <translation>打开演示研究(&amp;D)</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>开始</translation>
        </message>
        <message>
            <source>Create a study folder for a new reading study.</source>
            <translation>为新的阅片研究创建研究文件夹。</translation>
        </message>
        <message>
            <source>Open a study folder made by RUSH Rater.</source>
            <translation>打开由 RUSH 评分系统创建的研究文件夹。</translation>
        </message>
        <message>
            <source>Try RUSH Rater on synthetic hip radiographs with six raters. Built on first use.</source>
            <translation>用合成髋部 X 线片和六名评分者试用 RUSH 评分系统。首次使用时生成。</translation>
        </message>
        <message>
            <source>This window is for study coordinators. Raters score cases on the reading workstation; scores are never shown here.</source>
            <translation>此窗口供研究协调员使用。评分者在阅片工作站上为病例评分；评分从不在此显示。</translation>
        </message>
        <message>
            <source>Recent studies</source>
            <translation>最近的研究</translation>
        </message>
        <message>
            <source>Studies you open appear here.</source>
            <translation>您打开过的研究会显示在这里。</translation>
        </message>
        <message>
            <source>O&amp;pen selected</source>
            <translation>打开所选(&amp;P)</translation>
        </message>
        <message>
            <source>Re&amp;move from list</source>
            <translation>从列表中移除(&amp;M)</translation>
        </message>
        <message>
            <source>Forget this entry; the study folder is not touched</source>
            <translation>移除此条目；研究文件夹不受影响</translation>
        </message>
        <message>
            <source>{0} (folder not found)</source>
            <translation>{0}（未找到文件夹）</translation>
        </message>
    </context>
    <context>
        <name>StartWindow</name>
        <message>
            <source>RUSH Rater</source>
            <translation>RUSH 评分系统</translation>
        </message>
        <message>
            <source>&amp;New study…</source>
            <translation>新建研究(&amp;N)…</translation>
        </message>
        <message>
            <source>Create a study in a new or empty folder</source>
            <translation>在新建或空的文件夹中创建研究</translation>
        </message>
        <message>
            <source>&amp;Open study…</source>
            <translation>打开研究(&amp;O)…</translation>
        </message>
        <message>
            <source>Open an existing study folder</source>
            <translation>打开已有的研究文件夹</translation>
        </message>
        <message>
            <source>Open &amp;database study…</source>
            <translation>打开数据库研究(&amp;D)…</translation>
        </message>
        <message>
            <source>Open a study shared over a PostgreSQL server</source>
            <translation>打开通过 PostgreSQL 服务器共享的研究</translation>
        </message>
        <message>
            <source>Open &amp;demo study</source>
            <translation>打开演示研究(&amp;D)</translation>
        </message>
        <message>
            <source>Synthetic radiographs and six raters; built on first use (about half a minute)</source>
            <translation>合成 X 线片和六名评分者；首次使用时生成（约半分钟）</translation>
        </message>
        <message>
            <source>&amp;Close study</source>
            <translation>关闭研究(&amp;C)</translation>
        </message>
        <message>
            <source>Close the study and go back to the start page</source>
            <translation>关闭研究并返回开始页</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <source>Quit RUSH Rater</source>
            <translation>退出 RUSH 评分系统</translation>
        </message>
        <message>
            <source>&amp;Enrol rater…</source>
            <translation>登记评分者(&amp;E)…</translation>
        </message>
        <message>
            <source>Add a rater to a rater group</source>
            <translation>将评分者添加到评分者组</translation>
        </message>
        <message>
            <source>&amp;Refresh</source>
            <translation>刷新(&amp;R)</translation>
        </message>
        <message>
            <source>Read the study's counts and progress again</source>
            <translation>重新读取研究的计数和进度</translation>
        </message>
        <message>
            <source>Show study &amp;folder</source>
            <translation>显示研究文件夹(&amp;F)</translation>
        </message>
        <message>
            <source>Open the study folder in the file manager</source>
            <translation>在文件管理器中打开研究文件夹</translation>
        </message>
        <message>
            <source>Start &amp;reading…</source>
            <translation>开始阅片(&amp;R)…</translation>
        </message>
        <message>
            <source>Open the reading workstation: score cases as a rater, blinded</source>
            <translation>打开阅片工作站：以评分者身份在盲法下为病例评分</translation>
        </message>
        <message>
            <source>&amp;Coordinator console…</source>
            <translation>协调员控制台(&amp;C)…</translation>
        </message>
        <message>
            <source>Progress, agreement, discordant cases and settings (study admin password)</source>
            <translation>进度、一致性、不一致病例和设置（需研究管理员密码）</translation>
        </message>
        <message>
            <source>&amp;Import radiographs…</source>
            <translation>导入 X 线片(&amp;I)…</translation>
        </message>
        <message>
            <source>Import and de-identify radiographs from folders; assign and redact them</source>
            <translation>从文件夹导入 X 线片并去标识化；分配并遮盖</translation>
        </message>
        <message>
            <source>&amp;Body composition…</source>
            <translation>身体成分(&amp;B)…</translation>
        </message>
        <message>
            <source>CT body composition at T12: muscle and fat areas, SMI, VFI, SFI, VSR per patient</source>
            <translation>T12 层面 CT 身体成分：每位患者的肌肉和脂肪面积、SMI、VFI、SFI、VSR</translation>
        </message>
        <message>
            <source>&amp;About RUSH Rater</source>
            <translation>关于 RUSH 评分系统(&amp;A)</translation>
        </message>
        <message>
            <source>About &amp;Qt</source>
            <translation>关于 Qt(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <source>Open &amp;recent</source>
            <translation>最近打开(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Study</source>
            <translation>研究(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;Language</source>
            <translation>语言(&amp;L)</translation>
        </message>
        <message>
            <source>System default</source>
            <translation>跟随系统</translation>
        </message>
        <message>
            <source>The language changes the next time RUSH Rater starts.</source>
            <translation>语言将在下次启动 RUSH 评分系统时更改。</translation>
        </message>
        <message>
            <source>Blinded multi-rater reading studies with the Radiographic Union Score for Hip (RUSH)</source>
            <translation>采用髋部影像学愈合评分（RUSH）的多评分者盲法阅片研究</translation>
        </message>
        <message>
            <source>No study open</source>
            <translation>未打开研究</translation>
        </message>
        <message>
            <source>{0} – RUSH Rater</source>
            <translation>{0} – RUSH 评分系统</translation>
        </message>
        <message>
            <source>Could not open {0}</source>
            <translation>无法打开 {0}</translation>
        </message>
        <message>
            <source>Cannot open the study</source>
            <translation>无法打开研究</translation>
        </message>
        <message>
            <source>Opened {0}</source>
            <translation>已打开 {0}</translation>
        </message>
        <message>
            <source>Study upgraded</source>
            <translation>研究已升级</translation>
        </message>
        <message>
            <source>The study was upgraded to this version of RUSH Rater. A copy of the old database is in:
{0}</source>
            <translation>研究已升级到此版本的 RUSH 评分系统。旧数据库的副本位于：
{0}</translation>
        </message>
        <message>
            <source>Open a study folder</source>
            <translation>打开研究文件夹</translation>
        </message>
        <message>
            <source>Created {0}. Next: enrol raters and import the images.</source>
            <translation>已创建 {0}。下一步：登记评分者并导入图像。</translation>
        </message>
        <message>
            <source>Cannot read the study</source>
            <translation>无法读取研究</translation>
        </message>
        <message>
            <source>Refreshed</source>
            <translation>已刷新</translation>
        </message>
        <message>
            <source>Enrolled {0} as {1} in group {2}.</source>
            <translation>已将 {0} 登记为 {1}，组别 {2}。</translation>
        </message>
        <message>
            <source>Extend the reading plan to give them a reading list.</source>
            <translation>请扩展阅片计划，为其生成阅片列表。</translation>
        </message>
        <message>
            <source>About RUSH Rater</source>
            <translation>关于 RUSH 评分系统</translation>
        </message>
        <message>
            <source>&lt;h3&gt;RUSH Rater {0}&lt;/h3&gt;&lt;p&gt;Blinded multi-rater radiographic fracture-healing studies scored with the Radiographic Union Score for Hip (RUSH), with agreement statistics.&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later.&lt;/p&gt;</source>
            <translation>&lt;h3&gt;RUSH 评分系统 {0}&lt;/h3&gt;&lt;p&gt;采用髋部影像学愈合评分（RUSH）的多评分者盲法骨折愈合影像研究，附一致性统计。&lt;/p&gt;&lt;p&gt;依据 GNU 通用公共许可证第 3 版或更高版本授权。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Preparing the demo study in {0}…</source>
            <translation>正在 {0} 中准备演示研究…</translation>
        </message>
        <message>
            <source>The demo study could not be prepared</source>
            <translation>无法准备演示研究</translation>
        </message>
        <message>
            <source>Cannot prepare the demo study</source>
            <translation>无法准备演示研究</translation>
        </message>
        <message>
            <source>No recent studies</source>
            <translation>没有最近的研究</translation>
        </message>
        <message>
            <source>&amp;Clear list</source>
            <translation>清空列表(&amp;C)</translation>
        </message>
        <message>
            <source>&amp;Radiographs from CT…</source>
            <translation>由 CT 生成 X 线片(&amp;R)…</translation>
        </message>
        <message>
            <source>Make AP and lateral radiographs (DRRs) from a CT series, crop to the hip, place them for reading; 3D bone view</source>
            <translation>由 CT 序列生成正位和侧位数字重建 X 线片，裁剪到髋部，放入阅片；骨骼三维视图</translation>
        </message>
        <message>
            <source>Open an existing study: its study.db or a .rushrater link</source>
            <translation>打开现有研究：选择其数据库文件或研究链接文件</translation>
        </message>
        <message>
            <source>The {0} translation is not installed with this copy of RUSH Rater: the interface stays in English. Reinstall RUSH Rater, or compile the translations (packaging/update-translations, pyside6-lrelease).</source>
            <translation>此 RUSH Rater 未安装{0}翻译，界面保持英文。请重新安装 RUSH Rater，或编译翻译文件（packaging/update-translations、pyside6-lrelease）。</translation>
        </message>
        <message>
            <source>Open a study</source>
            <translation>打开研究</translation>
        </message>
        <message>
            <source>RUSH Rater studies (study.db *.rushrater)</source>
            <translation>RUSH Rater 研究 (study.db *.rushrater)</translation>
        </message>
        <message>
            <source>All files (*)</source>
            <translation>所有文件 (*)</translation>
        </message>
    </context>
    <context>
        <name>StudyPage</name>
        <message>
            <source>&amp;Enrol rater…</source>
            <translation>登记评分者(&amp;E)…</translation>
        </message>
        <message>
            <source>&amp;Refresh</source>
            <translation>刷新(&amp;R)</translation>
        </message>
        <message>
            <source>Start &amp;reading…</source>
            <translation>开始阅片(&amp;R)…</translation>
        </message>
        <message>
            <source>Patients</source>
            <translation>患者</translation>
        </message>
        <message>
            <source>Cases</source>
            <translation>病例</translation>
        </message>
        <message>
            <source>Images</source>
            <translation>图像</translation>
        </message>
        <message>
            <source>Ratings stored</source>
            <translation>已存评分</translation>
        </message>
        <message>
            <source>Study</source>
            <translation>研究</translation>
        </message>
        <message>
            <source>Rubric:</source>
            <translation>评分量表：</translation>
        </message>
        <message>
            <source>Time points:</source>
            <translation>时间点：</translation>
        </message>
        <message>
            <source>Rater groups:</source>
            <translation>评分者组：</translation>
        </message>
        <message>
            <source>Reading plan:</source>
            <translation>阅片计划：</translation>
        </message>
        <message>
            <source>Created:</source>
            <translation>创建时间：</translation>
        </message>
        <message>
            <source>Raters</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>No raters enrolled yet. Enrol the raters, import the images, then plan the reading.</source>
            <translation>尚未登记评分者。请登记评分者、导入图像，然后安排阅片计划。</translation>
        </message>
        <message numerus="yes">
            <source>%n with AP + lateral</source>
            <translation>
                <numerusform>%n 个有正位 + 侧位</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source> · %n without both views</source>
            <translation>
                <numerusform> · %n 个缺少两个体位之一</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{0}
%n item(s), total {1}–{2}</source>
            <translation>
                <numerusform>{0}
%n 个条目，总分 {1}–{2}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{0}: %n case(s)</source>
            <translation>
                <numerusform>{0}：%n 个病例</numerusform>
            </translation>
        </message>
        <message>
            <source>None</source>
            <translation>无</translation>
        </message>
        <message numerus="yes">
            <source>{0}: %n rater(s)</source>
            <translation>
                <numerusform>{0}：%n 名评分者</numerusform>
            </translation>
        </message>
        <message>
            <source>None yet: groups are made as raters are enrolled</source>
            <translation>暂无：登记评分者时会自动建立组别</translation>
        </message>
        <message>
            <source>Not planned yet</source>
            <translation>尚未安排</translation>
        </message>
        <message>
            <source>Seed {0}, made {1}</source>
            <translation>随机种子 {0}，生成于 {1}</translation>
        </message>
        <message>
            <source>Updated {0}</source>
            <translation>更新于 {0}</translation>
        </message>
    </context>
    <context>
        <name>Timepoint</name>
        <message>
            <source>Day {0}</source>
            <translation>第 {0} 天</translation>
        </message>
        <message>
            <source>Week {0}</source>
            <translation>第 {0} 周</translation>
        </message>
        <message>
            <source>Month {0}</source>
            <translation>第 {0} 个月</translation>
        </message>
        <message>
            <source>Year {0}</source>
            <translation>第 {0} 年</translation>
        </message>
        <message>
            <source>Pre-operative</source>
            <translation>术前</translation>
        </message>
        <message>
            <source>Post-operative</source>
            <translation>术后</translation>
        </message>
        <message>
            <source>Final follow-up</source>
            <translation>末次随访</translation>
        </message>
    </context>
    <context>
        <name>WorkstationWindow</name>
        <message>
            <source>RUSH Rater — reading</source>
            <translation>RUSH 评分系统 — 阅片</translation>
        </message>
        <message>
            <source>Changing a submitted case: a reason will be asked</source>
            <translation>正在修改已提交的病例：将要求填写理由</translation>
        </message>
        <message>
            <source>Presets (P)</source>
            <translation>预设 (P)</translation>
        </message>
        <message>
            <source>Next window preset: the file's windows, bone, automatic</source>
            <translation>下一个窗预设：文件窗、骨窗、自动</translation>
        </message>
        <message>
            <source>Bone (B)</source>
            <translation>骨窗 (B)</translation>
        </message>
        <message>
            <source>Bone window</source>
            <translation>骨窗</translation>
        </message>
        <message>
            <source>Auto (A)</source>
            <translation>自动 (A)</translation>
        </message>
        <message>
            <source>Automatic window from this image's values</source>
            <translation>根据图像数值自动设置窗</translation>
        </message>
        <message>
            <source>Invert (I)</source>
            <translation>反相 (I)</translation>
        </message>
        <message>
            <source>Invert grey levels</source>
            <translation>反转灰度</translation>
        </message>
        <message>
            <source>Fit (F)</source>
            <translation>适应窗口 (F)</translation>
        </message>
        <message>
            <source>Fit the image to its view</source>
            <translation>使图像适应视图</translation>
        </message>
        <message>
            <source>1:1 (O)</source>
            <translation>1:1 (O)</translation>
        </message>
        <message>
            <source>One image pixel per screen pixel</source>
            <translation>一个图像像素对应一个屏幕像素</translation>
        </message>
        <message>
            <source>Link (L)</source>
            <translation>联动 (L)</translation>
        </message>
        <message>
            <source>Window and zoom change both views together</source>
            <translation>窗宽窗位和缩放同时作用于两个视图</translation>
        </message>
        <message>
            <source>Swap (S)</source>
            <translation>交换 (S)</translation>
        </message>
        <message>
            <source>Swap the two views left and right</source>
            <translation>左右交换两个视图</translation>
        </message>
        <message>
            <source>One view (V)</source>
            <translation>单视图 (V)</translation>
        </message>
        <message>
            <source>Show one view large; again for the other, then both</source>
            <translation>放大显示一个视图；再按显示另一个，再按恢复两个</translation>
        </message>
        <message>
            <source>Magnifier (M)</source>
            <translation>放大镜 (M)</translation>
        </message>
        <message>
            <source>A loupe under the mouse pointer</source>
            <translation>鼠标指针下的放大镜</translation>
        </message>
        <message>
            <source>Reset (R)</source>
            <translation>重置 (R)</translation>
        </message>
        <message>
            <source>Default window, no inversion, fitted</source>
            <translation>默认窗、不反相、适应窗口</translation>
        </message>
        <message>
            <source>AP</source>
            <translation>正位</translation>
        </message>
        <message>
            <source>Lateral</source>
            <translation>侧位</translation>
        </message>
        <message>
            <source>Right-drag: window/level · wheel: zoom · left-drag: pan · 1–3: score · Tab/arrows: next item · Enter: submit · U: unreadable</source>
            <translation>右键拖动：窗宽/窗位 · 滚轮：缩放 · 左键拖动：平移 · 1–3：评分 · Tab/方向键：下一条目 · Enter：提交 · U：无法评估</translation>
        </message>
        <message>
            <source>← Previous case</source>
            <translation>← 上一病例</translation>
        </message>
        <message>
            <source>Change the case you submitted last (Backspace)</source>
            <translation>修改您最后提交的病例（Backspace）</translation>
        </message>
        <message>
            <source>Unreadable… (U)</source>
            <translation>无法评估… (U)</translation>
        </message>
        <message>
            <source>Mark the images unreadable, with a reason</source>
            <translation>将图像标记为无法评估，并填写理由</translation>
        </message>
        <message>
            <source>Submit (Enter)</source>
            <translation>提交 (Enter)</translation>
        </message>
        <message>
            <source>Case {0} of {1}</source>
            <translation>第 {0} / {1} 例</translation>
        </message>
        <message>
            <source>{0} of {1} cases done</source>
            <translation>已完成 {0} / {1} 例</translation>
        </message>
        <message>
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message>
            <source>No {0} image in this case</source>
            <translation>此病例没有{0}图像</translation>
        </message>
        <message>
            <source>This case's images cannot be shown: {0}{1}</source>
            <translation>此病例的图像无法显示：{0}{1}</translation>
        </message>
        <message>
            <source>All done</source>
            <translation>全部完成</translation>
        </message>
        <message>
            <source>You have scored every case available now.
{0} re-read cases open after their waiting period.</source>
            <translation>您已完成当前所有可评病例。
{0} 个重复阅片病例将在等待期后开放。</translation>
        </message>
        <message>
            <source>You have scored all {0} cases. Thank you.</source>
            <translation>您已完成全部 {0} 个病例的评分。谢谢！</translation>
        </message>
        <message>
            <source>Total {0}</source>
            <translation>总分 {0}</translation>
        </message>
        <message>
            <source>{0} of {1} scored · range {2}–{3}</source>
            <translation>已评 {0} / {1} 项 · 范围 {2}–{3}</translation>
        </message>
        <message>
            <source>, </source>
            <translation>、</translation>
        </message>
        <message>
            <source>Still to score ({0}): {1}</source>
            <translation>尚待评分（{0} 项）：{1}</translation>
        </message>
        <message>
            <source>Why change this case?</source>
            <translation>为什么修改此病例？</translation>
        </message>
        <message>
            <source>The score you submitted is kept; the change is stored as a new version with your reason.</source>
            <translation>您提交的评分会保留；修改将连同理由存为新版本。</translation>
        </message>
        <message>
            <source>The score was not saved</source>
            <translation>评分未保存</translation>
        </message>
        <message>
            <source>Images unreadable</source>
            <translation>图像无法评估</translation>
        </message>
        <message>
            <source>Why can this case not be scored? It is kept with your reason and left out of the analysis.</source>
            <translation>为什么此病例无法评分？将连同您的理由保存，并排除在分析之外。</translation>
        </message>
        <message>
            <source>Loading this case's images… {0} of {1} ready</source>
            <translation>正在加载本病例的图像… 已就绪 {0} / {1}</translation>
        </message>
        <message>
            <source>&amp;Session</source>
            <translation>会话(&amp;S)</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>暂停</translation>
        </message>
        <message>
            <source>Hide the images and stop the clock (Ctrl+P); Space resumes</source>
            <translation>隐藏图像并停止计时（Ctrl+P）；按空格键继续</translation>
        </message>
        <message>
            <source>Log out</source>
            <translation>退出登录</translation>
        </message>
        <message>
            <source>Hide the images and go back to the login (Ctrl+W)</source>
            <translation>隐藏图像并返回登录（Ctrl+W）</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>退出</translation>
        </message>
        <message>
            <source>Close the workstation (Ctrl+Q); submitted scores are already stored</source>
            <translation>关闭阅片工作站（Ctrl+Q）；已提交的评分均已保存</translation>
        </message>
        <message>
            <source>Paused — press Space to resume</source>
            <translation>已暂停 — 按空格键继续</translation>
        </message>
        <message>
            <source>Leave this case?</source>
            <translation>离开此病例？</translation>
        </message>
        <message>
            <source>The scores on this case are not submitted and will not be kept.</source>
            <translation>此病例的评分尚未提交，将不会保留。</translation>
        </message>
        <message>
            <source>Every case you submitted is stored. This case is shown again next time.</source>
            <translation>您提交的每个病例均已保存。下次将再次显示此病例。</translation>
        </message>
        <message>
            <source>Leave without submitting</source>
            <translation>不提交并离开</translation>
        </message>
        <message>
            <source>Keep reading</source>
            <translation>继续阅片</translation>
        </message>
        <message>
            <source>Cortical bridging</source>
            <translation>皮质骨桥接</translation>
        </message>
        <message>
            <source>Cortical fracture line</source>
            <translation>皮质骨折线</translation>
        </message>
        <message>
            <source>Trabecular consolidation</source>
            <translation>骨小梁愈合</translation>
        </message>
        <message>
            <source>Trabecular fracture line</source>
            <translation>骨小梁骨折线</translation>
        </message>
        <message>
            <source>The reading list could not be read: {0}</source>
            <translation>无法读取阅片列表：{0}</translation>
        </message>
        <message>
            <source>The reading list could not be read</source>
            <translation>无法读取阅片列表</translation>
        </message>
        <message>
            <source>The next case could not be read</source>
            <translation>无法读取下一个病例</translation>
        </message>
    </context>
    <context>
        <name>AdjudicationDialog</name>
        <message>
            <source>Record a contradicting consensus?</source>
            <translation>记录一个自相矛盾的共识？</translation>
        </message>
        <message>
            <source>Say why in the note</source>
            <translation>请在备注中说明原因</translation>
        </message>
        <message>
            <source>The study coordinator and the consensus panel (Settings tab); Space checks a name</source>
            <translation>研究协调员和共识小组（“设置”标签页）；按空格键勾选姓名</translation>
        </message>
        <message>
            <source>This consensus contradicts itself or its raters:
{0}

If it is meant, write in the note why, then record it again.</source>
            <translation>此共识与其自身或评分者相矛盾：
{0}

如确属有意，请在备注中写明原因，然后再次记录。</translation>
        </message>
        <message>
            <source>This consensus contradicts itself or its raters:
{0}

Record it anyway, with your note?</source>
            <translation>此共识与其自身或评分者相矛盾：
{0}

仍然连同您的备注一起记录吗？</translation>
        </message>
        <message>
            <source>{0} (study coordinator)</source>
            <translation>{0}（研究协调员）</translation>
        </message>
    </context>
    <context>
        <name>ConsoleWindow</name>
        <message>
            <source>&amp;New member:</source>
            <translation>新成员(&amp;N)：</translation>
        </message>
        <message>
            <source>Add to the panel</source>
            <translation>加入小组</translation>
        </message>
        <message>
            <source>Cannot add the panel member</source>
            <translation>无法添加小组成员</translation>
        </message>
        <message>
            <source>Consensus panel</source>
            <translation>共识小组</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>错误</translation>
        </message>
        <message>
            <source>Every rater has a PIN.</source>
            <translation>每位评分者都已设置 PIN。</translation>
        </message>
        <message>
            <source>Name of a panel member</source>
            <translation>小组成员姓名</translation>
        </message>
        <message>
            <source>No PIN yet (they choose one at their next login): {0}</source>
            <translation>尚无 PIN（将在下次登录时自行设置）：{0}</translation>
        </message>
        <message>
            <source>Open workstation (reads without a PIN): {0}</source>
            <translation>开放工作站（无需 PIN 阅片）：{0}</translation>
        </message>
        <message>
            <source>Rater identity and image failures</source>
            <translation>评分者身份与图像加载失败</translation>
        </message>
        <message>
            <source>View</source>
            <translation>视图</translation>
        </message>
        <message>
            <source>When</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Who may adjudicate:</source>
            <translation>可裁定者：</translation>
        </message>
        <message>
            <source>the study coordinator only</source>
            <translation>仅研究协调员</translation>
        </message>
        <message>
            <source>the study coordinator; {0}</source>
            <translation>研究协调员；{0}</translation>
        </message>
        <message>
            <source>{0} may now adjudicate</source>
            <translation>{0} 现在可以裁定</translation>
        </message>
    </context>
    <context>
        <name>AgreementTab</name>
        <message>
            <source>Show the 10 &amp;items</source>
            <translation>显示 10 个条目(&amp;I)</translation>
        </message>
        <message>
            <source>ICC &amp;form:</source>
            <translation>ICC 形式(&amp;F)：</translation>
        </message>
        <message>
            <source>All raters with ratings</source>
            <translation>所有有评分的评分者</translation>
        </message>
        <message>
            <source>Raters who have finished</source>
            <translation>已完成的评分者</translation>
        </message>
        <message>
            <source>&amp;Raters:</source>
            <translation>评分者(&amp;R)：</translation>
        </message>
        <message>
            <source>Healing status agreement</source>
            <translation>愈合状态一致性</translation>
        </message>
        <message>
            <source>Time point</source>
            <translation>时间点</translation>
        </message>
        <message>
            <source>Raters</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>Agreement</source>
            <translation>一致性</translation>
        </message>
        <message>
            <source>Cases</source>
            <translation>病例</translation>
        </message>
        <message>
            <source>Fleiss' kappa</source>
            <translation>Fleiss kappa</translation>
        </message>
        <message>
            <source>Cases (kappa)</source>
            <translation>病例数（kappa）</translation>
        </message>
        <message>
            <source>Test–retest (read 1 vs read 2), total</source>
            <translation>重测信度（第 1 次与第 2 次阅片），总分</translation>
        </message>
        <message>
            <source>Rater</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>ICC (CI)</source>
            <translation>ICC（置信区间）</translation>
        </message>
        <message>
            <source>Cannot read the study</source>
            <translation>无法读取研究</translation>
        </message>
        <message>
            <source>All available data: {0}, {1} cases</source>
            <translation>全部可用数据：{0}，{1} 个病例</translation>
        </message>
        <message>
            <source>all data {0:.3f}</source>
            <translation>全部数据 {0:.3f}</translation>
        </message>
        <message>
            <source>{0}: {1} cases x {2} raters</source>
            <translation>{0}：{1} 个病例 × {2} 名评分者</translation>
        </message>
        <message>
            <source> ({0} cases dropped)</source>
            <translation>（剔除 {0} 个病例）</translation>
        </message>
        <message>
            <source>{0} with {1:g}% confidence intervals, first reads only (complete cases; &quot;all data&quot;: the all-available estimate where cases were dropped). {2}.</source>
            <translation>{0}，{1:g}% 置信区间，仅首次阅片（完整病例；“全部数据”：有病例被剔除时基于全部可用数据的估计）。{2}。</translation>
        </message>
        <message>
            <source>All raters</source>
            <translation>全部评分者</translation>
        </message>
        <message>
            <source>Pooled</source>
            <translation>合并</translation>
        </message>
        <message>
            <source>No re-reads yet: plan them with a washout (Study ▸ Plan reading…)</source>
            <translation>尚无重复阅片：请设置洗脱期进行规划（研究 ▸ 规划阅片…）</translation>
        </message>
    </context>
    <context>
        <name>ConsoleTab</name>
        <message>
            <source>Saving…</source>
            <translation>正在保存…</translation>
        </message>
        <message>
            <source>Reading the study…</source>
            <translation>正在读取研究…</translation>
        </message>
        <message>
            <source>Cannot read the study</source>
            <translation>无法读取研究</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>总分</translation>
        </message>
    </context>
    <context>
        <name>DiscordantTab</name>
        <message>
            <source>Case</source>
            <translation>病例</translation>
        </message>
        <message>
            <source>Patient</source>
            <translation>患者</translation>
        </message>
        <message>
            <source>Time point</source>
            <translation>时间点</translation>
        </message>
        <message>
            <source>Raters</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>Median</source>
            <translation>中位数</translation>
        </message>
        <message>
            <source>Range</source>
            <translation>范围</translation>
        </message>
        <message>
            <source>Why discordant</source>
            <translation>不一致原因</translation>
        </message>
        <message>
            <source>Decided</source>
            <translation>已决定</translation>
        </message>
        <message>
            <source>&amp;Adjudicate…</source>
            <translation>裁定(&amp;A)…</translation>
        </message>
        <message>
            <source>Open the selected case with every rater's scores (Enter)</source>
            <translation>打开所选病例并显示所有评分者的评分（Enter）</translation>
        </message>
        <message>
            <source>{0} discordant case(s), {1} not yet decided: totals spanning more than {2:g} points, or raters split on slow healing (total below {3:g}). Select a case and press Enter to adjudicate.</source>
            <translation>{0} 个不一致病例，{1} 个尚未决定：总分差值超过 {2:g} 分，或评分者对愈合缓慢（总分低于 {3:g}）判断不一。选择病例后按 Enter 进行裁定。</translation>
        </message>
        <message>
            <source>{0} {1:g} — {2}</source>
            <translation>{0} {1:g} — {2}</translation>
        </message>
        <message>
            <source>not yet</source>
            <translation>尚未</translation>
        </message>
        <message>
            <source>Consensus of {0} recorded</source>
            <translation>已记录 {0} 的共识</translation>
        </message>
        <message>
            <source>Cannot read the study</source>
            <translation>无法读取研究</translation>
        </message>
    </context>
    <context>
        <name>PlotsTab</name>
        <message>
            <source>&amp;Time point:</source>
            <translation>时间点(&amp;T)：</translation>
        </message>
        <message>
            <source>S&amp;core:</source>
            <translation>评分(&amp;C)：</translation>
        </message>
        <message>
            <source>&amp;Bland–Altman:</source>
            <translation>Bland–Altman(&amp;B)：</translation>
        </message>
        <message>
            <source>mean of others</source>
            <translation>其他评分者均值</translation>
        </message>
        <message>
            <source>{0} vs {1}</source>
            <translation>{0} 对比 {1}</translation>
        </message>
    </context>
    <context>
        <name>ProgressTab</name>
        <message>
            <source>Rater</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Group</source>
            <translation>组别</translation>
        </message>
        <message>
            <source>Cases done</source>
            <translation>已完成病例</translation>
        </message>
        <message>
            <source>Progress</source>
            <translation>进度</translation>
        </message>
        <message>
            <source>Median s / case</source>
            <translation>每例中位秒数</translation>
        </message>
        <message>
            <source>Re-reads done</source>
            <translation>已完成重复阅片</translation>
        </message>
        <message>
            <source>Re-reads due now</source>
            <translation>当前应重复阅片</translation>
        </message>
        <message>
            <source>In washout</source>
            <translation>洗脱期中</translation>
        </message>
        <message>
            <source>Next re-read from</source>
            <translation>下次重复阅片时间</translation>
        </message>
        <message>
            <source>Raters</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>By rater group</source>
            <translation>按评分者组</translation>
        </message>
        <message>
            <source>Rater identity and image failures</source>
            <translation>评分者身份与图像加载失败</translation>
        </message>
        <message>
            <source>When</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>病例</translation>
        </message>
        <message>
            <source>View</source>
            <translation>视图</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>错误</translation>
        </message>
        <message>
            <source>{0} raters · {1} first reads of {2} cases · {3} re-reads · {4} unreadable</source>
            <translation>{0} 名评分者 · {2} 个病例的 {1} 次首次阅片 · {3} 次重复阅片 · {4} 次无法评估</translation>
        </message>
        <message>
            <source>No PIN yet (they choose one at their next login): {0}</source>
            <translation>尚无 PIN（将在下次登录时自行设置）：{0}</translation>
        </message>
        <message>
            <source>Every rater has a PIN.</source>
            <translation>每位评分者都已设置 PIN。</translation>
        </message>
        <message>
            <source>Open workstation (reads without a PIN): {0}</source>
            <translation>开放工作站（无需 PIN 阅片）：{0}</translation>
        </message>
    </context>
    <context>
        <name>SettingsTab</name>
        <message>
            <source>Reading and analysis</source>
            <translation>阅片与分析</translation>
        </message>
        <message>
            <source>Raters may go back and correct the previous case</source>
            <translation>评分者可返回并修改上一病例</translation>
        </message>
        <message>
            <source>No going back: a submitted score is final</source>
            <translation>不可返回：提交的评分为最终评分</translation>
        </message>
        <message>
            <source>&amp;Edit policy:</source>
            <translation>修改策略(&amp;E)：</translation>
        </message>
        <message>
            <source> ms</source>
            <translation> 毫秒</translation>
        </message>
        <message>
            <source>&amp;Blank screen between cases:</source>
            <translation>病例间空屏(&amp;B)：</translation>
        </message>
        <message>
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <source>&amp;Washout before re-reads:</source>
            <translation>重复阅片前洗脱期(&amp;W)：</translation>
        </message>
        <message>
            <source> points</source>
            <translation> 分</translation>
        </message>
        <message>
            <source>Discordant when totals span &amp;more than:</source>
            <translation>总分差值大于此值视为不一致(&amp;M)：</translation>
        </message>
        <message>
            <source>Slow healing when the total is &amp;below:</source>
            <translation>总分低于此值视为愈合缓慢(&amp;B)：</translation>
        </message>
        <message>
            <source>Sa&amp;ve settings</source>
            <translation>保存设置(&amp;V)</translation>
        </message>
        <message>
            <source>Rater PINs</source>
            <translation>评分者 PIN 码</translation>
        </message>
        <message>
            <source>4 to 32 characters</source>
            <translation>4 至 32 个字符</translation>
        </message>
        <message>
            <source>R&amp;ater:</source>
            <translation>评分者(&amp;A)：</translation>
        </message>
        <message>
            <source>New &amp;PIN:</source>
            <translation>新 PIN 码(&amp;P)：</translation>
        </message>
        <message>
            <source>Set PIN</source>
            <translation>设置 PIN 码</translation>
        </message>
        <message>
            <source>Remove PIN</source>
            <translation>删除 PIN 码</translation>
        </message>
        <message>
            <source>Consensus panel</source>
            <translation>共识小组</translation>
        </message>
        <message>
            <source>Who may adjudicate:</source>
            <translation>可裁定者：</translation>
        </message>
        <message>
            <source>Name of a panel member</source>
            <translation>小组成员姓名</translation>
        </message>
        <message>
            <source>Add to the panel</source>
            <translation>加入小组</translation>
        </message>
        <message>
            <source>&amp;New member:</source>
            <translation>新成员(&amp;N)：</translation>
        </message>
        <message>
            <source>the study coordinator; {0}</source>
            <translation>研究协调员；{0}</translation>
        </message>
        <message>
            <source>the study coordinator only</source>
            <translation>仅研究协调员</translation>
        </message>
        <message>
            <source>Cannot save the settings</source>
            <translation>无法保存设置</translation>
        </message>
        <message>
            <source>Settings saved</source>
            <translation>设置已保存</translation>
        </message>
        <message>
            <source>{0} may now adjudicate</source>
            <translation>{0} 现在可以裁定</translation>
        </message>
        <message>
            <source>Cannot add the panel member</source>
            <translation>无法添加小组成员</translation>
        </message>
        <message>
            <source>PIN of {0} set</source>
            <translation>已设置 {0} 的 PIN 码</translation>
        </message>
        <message>
            <source>PIN of {0} removed</source>
            <translation>已删除 {0} 的 PIN 码</translation>
        </message>
        <message>
            <source>Cannot change the PIN</source>
            <translation>无法更改 PIN 码</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
        <message>
            <source>New PIN</source>
            <translation>新 PIN</translation>
        </message>
        <message>
            <source>The same PIN again</source>
            <translation>再次输入相同的 PIN</translation>
        </message>
        <message>
            <source>The two PINs differ. Type the same PIN twice.</source>
            <translation>两次输入的 PIN 不一致。请输入两次相同的 PIN。</translation>
        </message>
        <message>
            <source>You have no PIN yet. Choose one (4 to 32 characters); only you will know it</source>
            <translation>您还没有 PIN。请设置一个（4 到 32 个字符）；只有您本人知道</translation>
        </message>
    </context>
    <context>
        <name>PinCheckDialog</name>
        <message>
            <source>Change a submitted case</source>
            <translation>修改已提交的病例</translation>
        </message>
        <message>
            <source>PIN</source>
            <translation>PIN</translation>
        </message>
        <message>
            <source>{0}, type your PIN to see and change the case you submitted.</source>
            <translation>{0}，请输入您的 PIN 以查看并修改您已提交的病例。</translation>
        </message>
    </context>
    <context>
        <name>ReasonDialog</name>
        <message>
            <source>unreadable: image failed to load</source>
            <translation>无法阅片：图像加载失败</translation>
        </message>
    </context>
    <context>
        <name>WorkstationWindow</name>
        <message>
            <source>The case was not opened</source>
            <translation>未打开该病例</translation>
        </message>
        <message>
            <source>The failure could not be recorded</source>
            <translation>无法记录该加载失败</translation>
        </message>
        <message>
            <source>The images of this case did not load, so it cannot be scored. The study coordinator is told. Press U to mark it “unreadable: image failed to load” and go on.</source>
            <translation>此病例的图像未能加载，因此不能评分。研究协调员会收到通知。请按 U 将其标记为“无法阅片：图像加载失败”并继续。</translation>
        </message>
        <message>
            <source>The images of this case did not load. It is kept as unreadable with this reason.</source>
            <translation>此病例的图像未能加载。它将以此原因记录为无法阅片。</translation>
        </message>
        <message>
            <source>This case's images cannot be shown: {0}</source>
            <translation>无法显示此病例的图像：{0}</translation>
        </message>
    </context>
    <context>
        <name>EnrolRaterDialog</name>
        <message>
            <source>&amp;PIN:</source>
            <translation>PIN(&amp;P)：</translation>
        </message>
        <message>
            <source>empty: the rater chooses it at first login</source>
            <translation>留空：评分者首次登录时自行设置</translation>
        </message>
        <message>
            <source>the same PIN again</source>
            <translation>再次输入相同的 PIN</translation>
        </message>
    </context>
    <context>
        <name>DrrWindow</name>
        <message>
            <source>Radiographs from CT — {0}</source>
            <translation>由 CT 生成的 X 线片 — {0}</translation>
        </message>
        <message>
            <source>Drag the orange box on any section to crop to the hip; the previews follow.</source>
            <translation>在任一断面上拖动橙色框以裁剪到髋部；预览随之更新。</translation>
        </message>
        <message>
            <source>CT series</source>
            <translation>CT 序列</translation>
        </message>
        <message>
            <source>&amp;Series:</source>
            <translation>序列(&amp;S)：</translation>
        </message>
        <message>
            <source>Crop box:</source>
            <translation>裁剪框：</translation>
        </message>
        <message>
            <source>&amp;Whole volume</source>
            <translation>整个体积(&amp;W)</translation>
        </message>
        <message>
            <source>Projection</source>
            <translation>投影</translation>
        </message>
        <message>
            <source>Frontal (AP)</source>
            <translation>正位 (AP)</translation>
        </message>
        <message>
            <source>Lateral</source>
            <translation>侧位</translation>
        </message>
        <message>
            <source>Axial</source>
            <translation>轴位</translation>
        </message>
        <message>
            <source>parallel beam</source>
            <translation>平行束</translation>
        </message>
        <message>
            <source>cone beam (point source)</source>
            <translation>锥形束（点光源）</translation>
        </message>
        <message>
            <source>&amp;Geometry:</source>
            <translation>几何(&amp;G)：</translation>
        </message>
        <message>
            <source>Source-image &amp;distance:</source>
            <translation>源像距(&amp;D)：</translation>
        </message>
        <message>
            <source>&amp;Bone boost:</source>
            <translation>骨增强(&amp;B)：</translation>
        </message>
        <message>
            <source>Bone &amp;threshold:</source>
            <translation>骨阈值(&amp;T)：</translation>
        </message>
        <message>
            <source>right</source>
            <translation>右侧</translation>
        </message>
        <message>
            <source>left</source>
            <translation>左侧</translation>
        </message>
        <message>
            <source>Affected &amp;side:</source>
            <translation>患侧(&amp;S)：</translation>
        </message>
        <message>
            <source>finest CT spacing</source>
            <translation>最细 CT 间距</translation>
        </message>
        <message>
            <source>&amp;Pixel:</source>
            <translation>像素(&amp;P)：</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>保存</translation>
        </message>
        <message>
            <source>Place as a case for &amp;reading</source>
            <translation>作为阅片病例放入(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Time point:</source>
            <translation>时间点(&amp;T)：</translation>
        </message>
        <message>
            <source>&amp;Save radiographs</source>
            <translation>保存 X 线片(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;3D view of the bone…</source>
            <translation>骨骼三维视图(&amp;3)…</translation>
        </message>
        <message>
            <source>Coronal</source>
            <translation>冠状位</translation>
        </message>
        <message>
            <source>Sagittal</source>
            <translation>矢状位</translation>
        </message>
        <message>
            <source>Series {0} · patient {1}</source>
            <translation>序列 {0} · 患者 {1}</translation>
        </message>
        <message>
            <source>The study has no CT series yet: import one in the body-composition window.</source>
            <translation>本研究尚无 CT 序列：请在身体成分窗口中导入。</translation>
        </message>
        <message>
            <source>{0} × {1} × {2} voxels, {3:.2f} × {4:.2f} × {5:.2f} mm</source>
            <translation>{0} × {1} × {2} 体素，{3:.2f} × {4:.2f} × {5:.2f} mm</translation>
        </message>
        <message>
            <source>pixel {0:.3f} mm at the isocentre · magnification {1:.3f}</source>
            <translation>等中心处像素 {0:.3f} mm · 放大率 {1:.3f}</translation>
        </message>
        <message>
            <source>Tick at least one view.</source>
            <translation>请至少勾选一个体位。</translation>
        </message>
        <message>
            <source>Radiographs not saved</source>
            <translation>X 线片未保存</translation>
        </message>
        <message>
            <source>Saved {0} radiograph(s); placed in case {1}.</source>
            <translation>已保存 {0} 张 X 线片；已放入病例 {1}。</translation>
        </message>
        <message>
            <source>Saved {0} radiograph(s); they wait for assignment in the import window.</source>
            <translation>已保存 {0} 张 X 线片；它们在导入窗口中等待分配。</translation>
        </message>
        <message>
            <source>Loading {0}…</source>
            <translation>正在加载 {0}…</translation>
        </message>
    </context>
    <context>
        <name>BoneViewWindow</name>
        <message>
            <source>3D view of the bone — series {0}</source>
            <translation>骨骼三维视图 — 序列 {0}</translation>
        </message>
        <message>
            <source>Surface</source>
            <translation>表面</translation>
        </message>
        <message>
            <source>Bone &amp;threshold:</source>
            <translation>骨阈值(&amp;T)：</translation>
        </message>
        <message>
            <source>&amp;Rebuild surface</source>
            <translation>重建表面(&amp;R)</translation>
        </message>
        <message>
            <source>both sides</source>
            <translation>双侧</translation>
        </message>
        <message>
            <source>right</source>
            <translation>右侧</translation>
        </message>
        <message>
            <source>left</source>
            <translation>左侧</translation>
        </message>
        <message>
            <source>Fracture &amp;side:</source>
            <translation>骨折侧(&amp;S)：</translation>
        </message>
        <message>
            <source>Clipping plane</source>
            <translation>剪切平面</translation>
        </message>
        <message>
            <source>&amp;Clip</source>
            <translation>剪切(&amp;C)</translation>
        </message>
        <message>
            <source>left-right</source>
            <translation>左右</translation>
        </message>
        <message>
            <source>front-back</source>
            <translation>前后</translation>
        </message>
        <message>
            <source>head-feet</source>
            <translation>头足</translation>
        </message>
        <message>
            <source>&amp;Normal:</source>
            <translation>法向(&amp;N)：</translation>
        </message>
        <message>
            <source>&amp;Position:</source>
            <translation>位置(&amp;P)：</translation>
        </message>
        <message>
            <source>Measure</source>
            <translation>测量</translation>
        </message>
        <message>
            <source>&amp;Pick points on the bone</source>
            <translation>在骨骼上选点(&amp;P)</translation>
        </message>
        <message>
            <source>Click up to three points: two give a distance, three the angle at the second (neck-shaft: head centre, neck-shaft junction, shaft).</source>
            <translation>最多点击三个点：两点给出距离，三点给出第二点处的角度（颈干角：股骨头中心、颈干交点、骨干）。</translation>
        </message>
        <message>
            <source>C&amp;lear points</source>
            <translation>清除点(&amp;L)</translation>
        </message>
        <message>
            <source>&amp;Export STL…</source>
            <translation>导出 STL(&amp;E)…</translation>
        </message>
        <message>
            <source>No bone surface</source>
            <translation>无骨骼表面</translation>
        </message>
        <message>
            <source>{0} of {1} triangles shown</source>
            <translation>显示 {1} 个三角形中的 {0} 个</translation>
        </message>
        <message>
            <source>No bone under the pointer.</source>
            <translation>指针下没有骨骼。</translation>
        </message>
        <message>
            <source>{0} point(s) picked.</source>
            <translation>已选 {0} 个点。</translation>
        </message>
        <message>
            <source>Distance 1–2: {0:.1f} mm</source>
            <translation>距离 1–2：{0:.1f} mm</translation>
        </message>
        <message>
            <source>Distance 2–3: {0:.1f} mm · angle at 2: {1:.1f}°</source>
            <translation>距离 2–3：{0:.1f} mm · 第 2 点处角度：{1:.1f}°</translation>
        </message>
        <message>
            <source>Export the bone surface</source>
            <translation>导出骨骼表面</translation>
        </message>
        <message>
            <source>STL files (*.stl)</source>
            <translation>STL 文件 (*.stl)</translation>
        </message>
        <message>
            <source>STL not written</source>
            <translation>STL 未写入</translation>
        </message>
        <message>
            <source>Written {0}</source>
            <translation>已写入 {0}</translation>
        </message>
        <message>
            <source>Loading {0}…</source>
            <translation>正在加载 {0}…</translation>
        </message>
        <message>
            <source>Building the bone surface…</source>
            <translation>正在生成骨表面…</translation>
        </message>
        <message>
            <source>Writing {0}…</source>
            <translation>正在写入 {0}…</translation>
        </message>
    </context>
    <context>
        <name>OutcomesView</name>
        <message>
            <source>&amp;Notes</source>
            <translation>备注(&amp;N)</translation>
        </message>
        <message>
            <source>&amp;Run the analysis</source>
            <translation>运行分析(&amp;R)</translation>
        </message>
        <message>
            <source>AUC (95% CI)</source>
            <translation>AUC (95% CI)</translation>
        </message>
        <message>
            <source>Adjusted OR (95% CI)</source>
            <translation>校正 OR (95% CI)</translation>
        </message>
        <message>
            <source>Adjusted p</source>
            <translation>校正 p</translation>
        </message>
        <message>
            <source>Analyse p&amp;er:</source>
            <translation>分层分析(&amp;E)：</translation>
        </message>
        <message>
            <source>Cannot run the outcome analysis</source>
            <translation>无法运行结局分析</translation>
        </message>
        <message>
            <source>Co&amp;variates (comma-separated):</source>
            <translation>协变量（逗号分隔）(&amp;V)：</translation>
        </message>
        <message>
            <source>Cut-off</source>
            <translation>截断值</translation>
        </message>
        <message>
            <source>Direction</source>
            <translation>方向</translation>
        </message>
        <message>
            <source>Fi&amp;gures</source>
            <translation>图(&amp;G)</translation>
        </message>
        <message>
            <source>Healing group at &amp;time point:</source>
            <translation>愈合分组的时间点(&amp;T)：</translation>
        </message>
        <message>
            <source>Index</source>
            <translation>指数</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>水平</translation>
        </message>
        <message>
            <source>NPV</source>
            <translation>NPV</translation>
        </message>
        <message>
            <source>No notes.</source>
            <translation>无备注。</translation>
        </message>
        <message>
            <source>Normal healing</source>
            <translation>正常愈合</translation>
        </message>
        <message>
            <source>OR (95% CI)</source>
            <translation>OR (95% CI)</translation>
        </message>
        <message>
            <source>OR p</source>
            <translation>OR p</translation>
        </message>
        <message>
            <source>PPV</source>
            <translation>PPV</translation>
        </message>
        <message>
            <source>Run the analysis to see the tables and plots.</source>
            <translation>运行分析以查看表格和图。</translation>
        </message>
        <message>
            <source>Running the analysis…</source>
            <translation>正在运行分析…</translation>
        </message>
        <message>
            <source>SMD</source>
            <translation>SMD</translation>
        </message>
        <message>
            <source>Sensitivity</source>
            <translation>灵敏度</translation>
        </message>
        <message>
            <source>Slow healing</source>
            <translation>愈合缓慢</translation>
        </message>
        <message>
            <source>Slow healing below RUSH &amp;cut-off:</source>
            <translation>RUSH 低于此截断值为愈合缓慢(&amp;C)：</translation>
        </message>
        <message>
            <source>Spearman r (ΔRUSH)</source>
            <translation>Spearman r (ΔRUSH)</translation>
        </message>
        <message>
            <source>Specificity</source>
            <translation>特异度</translation>
        </message>
        <message>
            <source>Stratu&amp;m:</source>
            <translation>分层(&amp;M)：</translation>
        </message>
        <message>
            <source>Table &amp;1: baseline</source>
            <translation>表 1：基线(&amp;1)</translation>
        </message>
        <message>
            <source>Table &amp;2: indices and odds ratios</source>
            <translation>表 2：指数与比值比(&amp;2)</translation>
        </message>
        <message>
            <source>Table &amp;3: ΔRUSH and ROC</source>
            <translation>表 3：ΔRUSH 与 ROC(&amp;3)</translation>
        </message>
        <message>
            <source>Test</source>
            <translation>检验</translation>
        </message>
        <message>
            <source>The analysis could not run.</source>
            <translation>分析未能运行。</translation>
        </message>
        <message>
            <source>Variable</source>
            <translation>变量</translation>
        </message>
        <message>
            <source>all patients together</source>
            <translation>全部患者合并</translation>
        </message>
        <message>
            <source>every clinical variable</source>
            <translation>全部临床变量</translation>
        </message>
        <message>
            <source>n (r)</source>
            <translation>n (r)</translation>
        </message>
        <message>
            <source>n = {0}: {1} slow, {2} normal healing (RUSH below {3:g} at {4})</source>
            <translation>n = {0}：{1} 例愈合缓慢，{2} 例正常愈合（{4} 时 RUSH 低于 {3:g}）</translation>
        </message>
        <message>
            <source>p</source>
            <translation>p</translation>
        </message>
        <message>
            <source>r p</source>
            <translation>r p</translation>
        </message>
        <message>
            <source>{0} (matched)</source>
            <translation>{0}（匹配后）</translation>
        </message>
    </context>
    <context>
        <name>RiskModelView</name>
        <message>
            <source>&amp;Bootstrap resamples:</source>
            <translation>自助法重抽样次数(&amp;B)：</translation>
        </message>
        <message>
            <source>&amp;Calibration</source>
            <translation>校准(&amp;C)</translation>
        </message>
        <message>
            <source>&amp;Discrimination</source>
            <translation>区分度(&amp;D)</translation>
        </message>
        <message>
            <source>&amp;Event:</source>
            <translation>事件(&amp;E)：</translation>
        </message>
        <message>
            <source>&amp;Fit the model</source>
            <translation>拟合模型(&amp;F)</translation>
        </message>
        <message>
            <source>&amp;Model</source>
            <translation>模型(&amp;M)</translation>
        </message>
        <message>
            <source>&amp;Nomogram</source>
            <translation>列线图(&amp;N)</translation>
        </message>
        <message>
            <source>&amp;Predictors:</source>
            <translation>预测变量(&amp;P)：</translation>
        </message>
        <message>
            <source>&amp;Schoenfeld residuals</source>
            <translation>Schoenfeld 残差(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Times:</source>
            <translation>时间点(&amp;T)：</translation>
        </message>
        <message>
            <source>&amp;Validate on rows where:</source>
            <translation>验证所用行的条件(&amp;V)：</translation>
        </message>
        <message>
            <source>95% CI</source>
            <translation>95% CI</translation>
        </message>
        <message>
            <source>&lt;b&gt;Calculator&lt;/b&gt;: enter a patient's values</source>
            <translation>&lt;b&gt;计算器&lt;/b&gt;：输入一位患者的数值</translation>
        </message>
        <message>
            <source>&lt;b&gt;Total: {0:.0f} points&lt;/b&gt;</source>
            <translation>&lt;b&gt;总分：{0:.0f} 分&lt;/b&gt;</translation>
        </message>
        <message>
            <source>all patients (e.g. institution == 1)</source>
            <translation>全部患者（例如 institution == 1）</translation>
        </message>
        <message>
            <source>AUC</source>
            <translation>AUC</translation>
        </message>
        <message>
            <source>bootstrap only (e.g. institution == 2)</source>
            <translation>仅自助法（例如 institution == 2）</translation>
        </message>
        <message>
            <source>Calibration-in-the-large</source>
            <translation>整体校准</translation>
        </message>
        <message>
            <source>Cannot fit the risk model</source>
            <translation>无法拟合风险模型</translation>
        </message>
        <message>
            <source>Cases</source>
            <translation>病例</translation>
        </message>
        <message>
            <source>Censored before</source>
            <translation>此前删失</translation>
        </message>
        <message>
            <source>Choose the event and the predictors, then fit the model.</source>
            <translation>请选择事件和预测变量，然后拟合模型。</translation>
        </message>
        <message>
            <source>coef</source>
            <translation>系数</translation>
        </message>
        <message>
            <source>Controls</source>
            <translation>对照</translation>
        </message>
        <message>
            <source>days</source>
            <translation>天</translation>
        </message>
        <message>
            <source>df</source>
            <translation>自由度</translation>
        </message>
        <message>
            <source>E90</source>
            <translation>E90</translation>
        </message>
        <message>
            <source>Fewer than 10 events per predictor: the model is likely overfitted (TRIPOD).</source>
            <translation>每个预测变量的事件数少于 10：模型很可能过拟合（TRIPOD）。</translation>
        </message>
        <message>
            <source>Fit &amp;on rows where:</source>
            <translation>拟合所用行的条件(&amp;O)：</translation>
        </message>
        <message>
            <source>Fit a model to use the calculator.</source>
            <translation>请先拟合模型再使用计算器。</translation>
        </message>
        <message>
            <source>Fitting the model and bootstrapping…</source>
            <translation>正在拟合模型并进行自助法抽样…</translation>
        </message>
        <message>
            <source>Groups</source>
            <translation>组数</translation>
        </message>
        <message>
            <source>Harrell's C = {0:.3f} (SE {1:.3f}); optimism-corrected C = {2:.3f} (bootstrap B = {3}, seed {4}).</source>
            <translation>Harrell C 指数 = {0:.3f}（SE {1:.3f}）；乐观校正后 C = {2:.3f}（自助法 B = {3}，种子 {4}）。</translation>
        </message>
        <message>
            <source>HR</source>
            <translation>HR</translation>
        </message>
        <message>
            <source>ICI</source>
            <translation>ICI</translation>
        </message>
        <message>
            <source>months</source>
            <translation>月</translation>
        </message>
        <message>
            <source>No nomogram for this model (see the notes).</source>
            <translation>此模型没有列线图（见备注）。</translation>
        </message>
        <message>
            <source>No notes.</source>
            <translation>无备注。</translation>
        </message>
        <message>
            <source>No&amp;tes</source>
            <translation>备注(&amp;T)</translation>
        </message>
        <message>
            <source>p</source>
            <translation>p</translation>
        </message>
        <message>
            <source>Predicted event-free survival at {0:g} {1}: {2:.1%}</source>
            <translation>{0:g} {1}时的预测无事件生存率：{2:.1%}</translation>
        </message>
        <message>
            <source>Predictor</source>
            <translation>预测变量</translation>
        </message>
        <message>
            <source>Proportional-hazards test (cox.zph):</source>
            <translation>比例风险检验（cox.zph）：</translation>
        </message>
        <message>
            <source>RUSH at {0}</source>
            <translation>{0} 的 RUSH</translation>
        </message>
        <message>
            <source>SE</source>
            <translation>SE</translation>
        </message>
        <message>
            <source>Slope</source>
            <translation>斜率</translation>
        </message>
        <message>
            <source>Slow healing</source>
            <translation>愈合缓慢</translation>
        </message>
        <message>
            <source>Term</source>
            <translation>项</translation>
        </message>
        <message>
            <source>The model could not be fitted.</source>
            <translation>无法拟合该模型。</translation>
        </message>
        <message>
            <source>The study has no follow-up events yet: import them with rushrater clinical events.</source>
            <translation>本研究尚无随访事件：请用 rushrater clinical events 导入。</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Times must be numbers separated by commas, e.g. 1,3,6.</source>
            <translation>时间点必须是以逗号分隔的数字，例如 1,3,6。</translation>
        </message>
        <message>
            <source>Validation: n = {0}, {1} events, C = {2:.3f}.</source>
            <translation>验证：n = {0}，{1} 个事件，C = {2:.3f}。</translation>
        </message>
        <message>
            <source>weeks</source>
            <translation>周</translation>
        </message>
        <message>
            <source>years</source>
            <translation>年</translation>
        </message>
        <message>
            <source>z</source>
            <translation>z</translation>
        </message>
        <message>
            <source>{0} ({1} events in {2} patients)</source>
            <translation>{0}（{2} 例患者中 {1} 个事件）</translation>
        </message>
        <message>
            <source>{0}: n = {1}, {2} events, {3:.1f} events per predictor</source>
            <translation>{0}：n = {1}，{2} 个事件，每个预测变量 {3:.1f} 个事件</translation>
        </message>
        <message>
            <source>{0}: {1:.0f} points</source>
            <translation>{0}：{1:.0f} 分</translation>
        </message>
        <message>
            <source>ΔRUSH</source>
            <translation>ΔRUSH</translation>
        </message>
        <message>
            <source>χ²</source>
            <translation>χ²</translation>
        </message>
    </context>
    <context>
        <name>DemoBuild</name>
        <message>
            <source>Rendering synthetic hip radiographs…</source>
            <translation>正在生成合成髋部 X 线片…</translation>
        </message>
        <message>
            <source>De-identifying and importing them through the manifest import…</source>
            <translation>正在去标识化并通过清单导入它们…</translation>
        </message>
        <message>
            <source>Enrolling six raters and planning their reading lists…</source>
            <translation>正在登记六名评分者并规划其阅片列表…</translation>
        </message>
        <message>
            <source>Simulating ratings for five of the six raters…</source>
            <translation>正在为六名评分者中的五名模拟评分…</translation>
        </message>
        <message>
            <source>Building the demo study, step {0} of {1}: {2}</source>
            <translation>正在构建演示研究，第 {0} / {1} 步：{2}</translation>
        </message>
    </context>
    <context>
        <name>AuditTab</name>
        <message>
            <source>&amp;Entity:</source>
            <translation>对象(&amp;E)：</translation>
        </message>
        <message>
            <source>part of a name, e.g. R03</source>
            <translation>名称的一部分，例如评分者编号</translation>
        </message>
        <message>
            <source>Use&amp;r:</source>
            <translation>用户(&amp;R)：</translation>
        </message>
        <message>
            <source>&amp;From:</source>
            <translation>从(&amp;F)：</translation>
        </message>
        <message>
            <source>&amp;To:</source>
            <translation>到(&amp;T)：</translation>
        </message>
        <message>
            <source>E&amp;xport CSV…</source>
            <translation>导出 CSV(&amp;X)…</translation>
        </message>
        <message>
            <source>When (UTC)</source>
            <translation>时间（协调世界时）</translation>
        </message>
        <message>
            <source>User</source>
            <translation>用户</translation>
        </message>
        <message>
            <source>Action</source>
            <translation>操作</translation>
        </message>
        <message>
            <source>Entity</source>
            <translation>对象</translation>
        </message>
        <message>
            <source>Id</source>
            <translation>编号</translation>
        </message>
        <message>
            <source>Before</source>
            <translation>修改前</translation>
        </message>
        <message>
            <source>After</source>
            <translation>修改后</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message numerus="yes">
            <source>%n change(s) shown, oldest first</source>
            <translation>
                <numerusform>显示 %n 项更改，最早的在前</numerusform>
            </translation>
        </message>
        <message>
            <source>Export the audit trail</source>
            <translation>导出审计记录</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>Cannot write it</source>
            <translation>无法写入</translation>
        </message>
        <message>
            <source>Audit trail exported to {0}</source>
            <translation>审计记录已导出到 {0}</translation>
        </message>
        <message>
            <source>Cannot read the study</source>
            <translation>无法读取研究</translation>
        </message>
    </context>
    <context>
        <name>CoreMessage</name>
        <message>
            <source>check the path, or create a study with File ▸ New study…</source>
            <translation>请检查路径，或通过“文件 ▸ 新建研究…”创建研究</translation>
        </message>
        <message>
            <source>choose a study folder (or its study.db), or create a study with File ▸ New study…</source>
            <translation>请选择研究文件夹（或其中的 study.db），或通过“文件 ▸ 新建研究…”创建研究</translation>
        </message>
        <message>
            <source>check the database name, or create a study there with File ▸ New study…</source>
            <translation>请检查数据库名称，或通过“文件 ▸ 新建研究…”在该处创建研究</translation>
        </message>
        <message>
            <source>check the database name; create a study in an empty database with File ▸ New study…</source>
            <translation>请检查数据库名称；可通过“文件 ▸ 新建研究…”在空数据库中创建研究</translation>
        </message>
        <message>
            <source>no such study</source>
            <translation>研究不存在</translation>
        </message>
        <message>
            <source>not a RUSH Rater study (no study.db in this folder)</source>
            <translation>不是 RUSH Rater 研究（此文件夹中没有 study.db）</translation>
        </message>
        <message>
            <source>this database is not a RUSH Rater study (no study tables)</source>
            <translation>此数据库不是 RUSH Rater 研究（没有研究数据表）</translation>
        </message>
        <message>
            <source>check the path; if the file is damaged, restore it from the study's backups/ folder</source>
            <translation>请检查路径；如文件已损坏，请从研究的 backups/ 文件夹恢复</translation>
        </message>
        <message>
            <source>totals span {0} points (&gt; {1})</source>
            <translation>总分相差 {0} 分（&gt; {1}）</translation>
        </message>
        <message>
            <source>healing status split ({0} of {1} below {2})</source>
            <translation>愈合状态不一致（{1} 人中 {0} 人低于 {2}）</translation>
        </message>
        <message>
            <source>an adjudicated consensus is decided by one person</source>
            <translation>裁定共识由一人决定</translation>
        </message>
        <message>
            <source>fewer than two targets were rated by all raters ({0}): complete-case ICCs are NaN</source>
            <translation>被所有评分者评分的病例少于两例（{0}）：完整病例 ICC 无法计算</translation>
        </message>
        <message>
            <source>all complete-case ratings equal {0}: zero variance, ICCs are undefined (NaN)</source>
            <translation>所有完整病例评分均为 {0}：方差为零，ICC 无定义</translation>
        </message>
        <message>
            <source>all-available estimate: the {0} variance is on the boundary ({1})</source>
            <translation>全部可用数据估计：{0} 方差位于边界（{1}）</translation>
        </message>
        <message>
            <source>no target has two ratings: agreement undefined</source>
            <translation>没有病例有两个评分：一致性无定义</translation>
        </message>
        <message>
            <source>no scored first reads yet: nothing to analyse</source>
            <translation>尚无已评分的首次阅片：无可分析内容</translation>
        </message>
        <message>
            <source>mean of others averages different raters for some targets (incomplete data)</source>
            <translation>部分病例的“其他评分者均值”由不同评分者求得（数据不完整）</translation>
        </message>
        <message>
            <source>adjudicated</source>
            <translation>裁定</translation>
        </message>
        <message>
            <source>panel</source>
            <translation>小组</translation>
        </message>
        <message>
            <source>mean</source>
            <translation>均值</translation>
        </message>
        <message>
            <source>median</source>
            <translation>中位数</translation>
        </message>
    </context>
    <context>
        <name>PlanDialog</name>
        <message>
            <source>Plan reading</source>
            <translation>规划阅片</translation>
        </message>
        <message>
            <source>Every rater gets an independent random order over all cases, from the seed recorded here (the same seed gives the same lists).</source>
            <translation>每位评分者获得所有病例的独立随机顺序，由此处记录的种子生成（相同种子产生相同列表）。</translation>
        </message>
        <message>
            <source>The study is planned with seed {0}. Planning again keeps every list and adds raters enrolled and cases imported since.</source>
            <translation>本研究已使用种子 {0} 规划。再次规划会保留所有列表，并加入此后登记的评分者和导入的病例。</translation>
        </message>
        <message>
            <source>Ra&amp;ndom seed</source>
            <translation>随机种子(&amp;N)</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>种子</translation>
        </message>
        <message>
            <source>&amp;Seed:</source>
            <translation>种子(&amp;S)：</translation>
        </message>
        <message>
            <source>Discard the lists and plan a&amp;gain</source>
            <translation>放弃现有列表并重新规划(&amp;G)</translation>
        </message>
        <message>
            <source>Ratings have been submitted, so the reading lists cannot be discarded</source>
            <translation>已有评分提交，因此阅片列表不能放弃</translation>
        </message>
        <message>
            <source>Add &amp;re-reads (test-retest)</source>
            <translation>添加重复阅片（重测）(&amp;R)</translation>
        </message>
        <message>
            <source>Share of each rater's &amp;cases:</source>
            <translation>每位评分者病例的比例(&amp;C)：</translation>
        </message>
        <message>
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <source>&amp;Washout before re-reads:</source>
            <translation>重复阅片前洗脱期(&amp;W)：</translation>
        </message>
        <message>
            <source>&amp;Plan</source>
            <translation>规划(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;Extend plan</source>
            <translation>扩展计划(&amp;E)</translation>
        </message>
        <message>
            <source>Cannot plan the reading</source>
            <translation>无法规划阅片</translation>
        </message>
        <message>
            <source>Planned {0} cases for {1} raters with seed {2}</source>
            <translation>已使用种子 {2} 为 {1} 位评分者规划 {0} 个病例</translation>
        </message>
        <message>
            <source>New lists for {0}</source>
            <translation>为 {0} 新建列表</translation>
        </message>
        <message numerus="yes">
            <source>%n case(s) appended to the lists</source>
            <translation>
                <numerusform>%n 个病例已追加到列表</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n re-read(s) added, available from {0}</source>
            <translation>
                <numerusform>已添加 %n 次重复阅片，自 {0} 起可用</numerusform>
            </translation>
        </message>
        <message>
            <source>re-reads kept for {0}</source>
            <translation>{0} 的重复阅片保持不变</translation>
        </message>
        <message>
            <source>The plan (seed {0}) already covers every rater and case; nothing changed</source>
            <translation>计划（种子 {0}）已涵盖所有评分者和病例；未作更改</translation>
        </message>
    </context>
    <context>
        <name>TrainingFeedbackDialog</name>
        <message>
            <source>Training case {0} of {1}: your scores and the reference</source>
            <translation>培训病例 {0}/{1}：您的评分与参考评分</translation>
        </message>
        <message>
            <source>You agreed with the reference on {0} of {1} items.</source>
            <translation>您在 {1} 个条目中的 {0} 个与参考评分一致。</translation>
        </message>
        <message>
            <source>Item</source>
            <translation>条目</translation>
        </message>
        <message>
            <source>Yours</source>
            <translation>您的评分</translation>
        </message>
        <message>
            <source>Reference</source>
            <translation>参考评分</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>总分</translation>
        </message>
        <message>
            <source>Next case (Enter)</source>
            <translation>下一个病例（Enter）</translation>
        </message>
        <message>
            <source>Training case {0} of {1} done.</source>
            <translation>已完成培训病例 {0}/{1}。</translation>
        </message>
        <message>
            <source>n/a</source>
            <translation>无</translation>
        </message>
        <message>
            <source>Training round done: weighted kappa of your totals {0}, bias {1} points. You passed.</source>
            <translation>本轮培训完成：您的总分加权 kappa 为 {0}，偏倚 {1} 分。您已通过。</translation>
        </message>
        <message>
            <source>Training round done: weighted kappa of your totals {0}, bias {1} points. Not passed yet; the study coordinator sees your results.</source>
            <translation>本轮培训完成：您的总分加权 kappa 为 {0}，偏倚 {1} 分。尚未通过；研究协调员可以看到您的结果。</translation>
        </message>
        <message>
            <source>Training case {0} of {1}</source>
            <translation>培训病例 {0}/{1}</translation>
        </message>
    </context>
    <context>
        <name>TrainingView</name>
        <message>
            <source>Before the study, once</source>
            <translation>研究开始前，一次</translation>
        </message>
        <message>
            <source>Until passed (study cases wait)</source>
            <translation>直到通过（研究病例等待）</translation>
        </message>
        <message>
            <source>Off</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>&amp;Training:</source>
            <translation>培训(&amp;T)：</translation>
        </message>
        <message>
            <source>Pass at weighted kappa of the total &amp;at least:</source>
            <translation>通过条件：总分加权 kappa 至少(&amp;A)：</translation>
        </message>
        <message>
            <source>and |bias| of the total at &amp;most (points):</source>
            <translation>且总分 |偏倚| 至多（分）(&amp;M)：</translation>
        </message>
        <message>
            <source>A&amp;pply threshold</source>
            <translation>应用阈值(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;Import reference scores (CSV)…</source>
            <translation>导入参考评分（CSV）(&amp;I)…</translation>
        </message>
        <message>
            <source>Rater</source>
            <translation>评分者</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Round</source>
            <translation>轮次</translation>
        </message>
        <message>
            <source>Cases done</source>
            <translation>已完成病例</translation>
        </message>
        <message>
            <source>Passed</source>
            <translation>是否通过</translation>
        </message>
        <message>
            <source>Kappa total</source>
            <translation>总分 kappa</translation>
        </message>
        <message>
            <source>Bias total</source>
            <translation>总分偏倚</translation>
        </message>
        <message>
            <source>Linear-weighted kappa of each rater's scores against the reference, per item and for the total; bias: mean (rater − reference) of the total</source>
            <translation>每位评分者与参考评分的线性加权 kappa（按条目及总分）；偏倚：总分的均值（评分者 − 参考）</translation>
        </message>
        <message>
            <source>Cannot read the study</source>
            <translation>无法读取研究</translation>
        </message>
        <message>
            <source>{0} training cases with reference scores; {1} of {2} raters passed. Training reads never enter the study's agreement or exports.</source>
            <translation>{0} 个带参考评分的培训病例；{2} 位评分者中 {1} 位已通过。培训阅片从不进入研究的一致性分析或导出。</translation>
        </message>
        <message>
            <source>No training cases yet: import reference scores for cases imported for training (before the reading plan).</source>
            <translation>尚无培训病例：请为导入用于培训的病例导入参考评分（在制定阅片计划之前）。</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <source>The threshold was not saved</source>
            <translation>阈值未保存</translation>
        </message>
        <message>
            <source>Reference scores of training cases</source>
            <translation>培训病例的参考评分</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>The reference scores were not imported</source>
            <translation>参考评分未导入</translation>
        </message>
    </context>
    <context>
        <name>Operation</name>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
</TS>
