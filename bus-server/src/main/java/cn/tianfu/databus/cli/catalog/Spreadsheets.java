package cn.tianfu.databus.cli.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;

import cn.tianfu.databus.catalog.CoreMetadata;

/**
 * The catalog spreadsheet (xlsx, Apache POI) in the core-metadata layout: a header row of {@link CoreMetadata#COLUMNS},
 * then one row per resource. Reading takes the first sheet, finds the columns by their header (in any order), and
 * reports a missing column or an unreadable file as problems at row 1.
 */
final class Spreadsheets {

    static final String SHEET = "信息资源目录";

    private Spreadsheets() {
    }

    /** Writes the rows (streamed: POI keeps a window of rows in memory, not the sheet). */
    static void write(List<List<String>> rows, OutputStream out) throws IOException {
        try (SXSSFWorkbook wb = new SXSSFWorkbook(100)) {
            Sheet sheet = wb.createSheet(SHEET);
            Row header = sheet.createRow(0);
            for (int c = 0; c < CoreMetadata.COLUMNS.size(); c++) {
                header.createCell(c).setCellValue(CoreMetadata.COLUMNS.get(c));
            }
            int r = 1;
            for (List<String> values : rows) {
                Row row = sheet.createRow(r++);
                for (int c = 0; c < values.size(); c++) {
                    row.createCell(c).setCellValue(values.get(c));
                }
            }
            wb.write(out);
            wb.dispose();
        }
    }

    /** What a spreadsheet holds: its rows, and the problems that keep it from being read at all. */
    record Read(List<CoreMetadata.Row> rows, List<CoreMetadata.Problem> problems) {
    }

    static Read read(InputStream in) {
        List<CoreMetadata.Problem> problems = new ArrayList<>();
        List<CoreMetadata.Row> rows = new ArrayList<>();
        try (Workbook wb = WorkbookFactory.create(in)) {
            if (wb.getNumberOfSheets() == 0) {
                problems.add(new CoreMetadata.Problem(1, null, "the workbook has no sheet"));
                return new Read(rows, problems);
            }
            Sheet sheet = wb.getSheetAt(0);
            DataFormatter formatter = new DataFormatter();
            Row header = sheet.getRow(sheet.getFirstRowNum());
            Map<Integer, String> columns = new HashMap<>();
            if (header != null) {
                for (Cell cell : header) {
                    String name = formatter.formatCellValue(cell).trim();
                    if (CoreMetadata.COLUMNS.contains(name)) {
                        columns.put(cell.getColumnIndex(), name);
                    }
                }
            }
            for (String required : List.of(CoreMetadata.CODE, CoreMetadata.NAME, CoreMetadata.ITEMS)) {
                if (!columns.containsValue(required)) {
                    problems.add(new CoreMetadata.Problem(1, required, "the header row has no column " + required
                            + " (the first row names the columns: " + String.join(", ", CoreMetadata.COLUMNS) + ")"));
                }
            }
            if (!problems.isEmpty() || header == null) {
                return new Read(rows, problems);
            }
            for (int r = header.getRowNum() + 1; r <= sheet.getLastRowNum(); r++) {
                Row row = sheet.getRow(r);
                if (row == null) {
                    continue;
                }
                Map<String, String> cells = new LinkedHashMap<>();
                columns.forEach((index, name) -> {
                    Cell cell = row.getCell(index);
                    if (cell == null) {
                        return;
                    }
                    String v = cell.getCellType() == CellType.NUMERIC && DateUtil.isCellDateFormatted(cell)
                            ? cell.getLocalDateTimeCellValue().toLocalDate().toString()
                            : formatter.formatCellValue(cell);
                    if (!v.isBlank()) {
                        cells.put(name, v);
                    }
                });
                if (!cells.isEmpty()) {
                    rows.add(new CoreMetadata.Row(r + 1, cells));
                }
            }
        } catch (IOException | RuntimeException e) {
            problems.add(new CoreMetadata.Problem(1, null, "not a readable xlsx workbook: " + e.getMessage()));
        }
        return new Read(rows, problems);
    }
}
